"""One module per Akool API family. Each method is written once, as a generator of I/O steps
(``yield APIRequest`` → payload, ``yield Upload`` → URL), and driven by the sync or async client."""
