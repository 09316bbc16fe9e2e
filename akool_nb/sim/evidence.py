"""Where the offline Akool follows the real service rather than the docs' letter, with the evidence.

Data, not prose copied from the docs: ``scripts/api_coverage.py`` renders it into docs/api-coverage.md and
``tests/test_api_coverage.py`` checks that every row names a test that exists. Evidence is one of
``docs`` (the docs contradict themselves; we take the reading shown), ``demo`` (Akool's own demo apps read or
send it against the real service), ``observed`` (real programs written against the real service rely on it).
"""
from __future__ import annotations

#: Undocumented endpoints that Akool's own demos call, served offline: (method, path, what, evidence, test).
UNDOCUMENTED = [
    ("GET", "/api/open/v4/voice/videoTranslation",
     "voices per translation language: `?language_code=&page=&size=`, answer `data.result` (paginated)", "demo",
     "test_real_behaviour.py::test_per_language_voices_for_translation"),
    ("POST", "/api/open/v3/faceswap/live/info",
     "a live face swap session by `{\"_id\"}`, polled until `faceswap_status` is 2 (ready)", "demo",
     "test_real_behaviour.py::test_live_faceswap_takes_landmarks_str_as_is_and_live_info_polls_to_ready"),
]

#: (endpoint, the docs' letter, what the offline Akool does, evidence, test)
DEVIATIONS = [
    ("POST /api/open/v3/content/image/createbyprompt", "`upscaled_urls` shown empty",
     "a finished generation carries 4 filled `upscaled_urls` (real files, the 4 candidates; a U button "
     "replaces its own)", "demo (polls until the list is non-empty)",
     "test_real_behaviour.py::test_a_finished_generation_carries_four_upscaled_files"),
    ("POST /api/open/v3/content/video/createbytranslate", "multi-language answer undocumented (§F.49)",
     "one job per comma-separated language, all listed in `all_results`; the top level is the first",
     "demo", "test_real_behaviour.py::test_comma_separated_languages_give_one_job_per_language"),
    ("GET /api/open/v3/avatar/list", "`data` is an array",
     "`data` is `{result, count, page, size}` like every other list; the client reads both", "demo",
     "test_real_behaviour.py::test_avatar_list_is_the_paginated_object_the_demo_reads"),
    ("GET /api/open/v3/avatar/detail, POST /api/open/v3/avatar/create", "`data` is a one-item array",
     "`data` is one object (`data._id`, `data.status`), as the docs' own yaml shows; the client reads both",
     "demo + docs (yaml)", "test_real_behaviour.py::test_avatar_create_without_name_and_detail_as_one_object"),
    ("POST /api/open/v3/avatar/create", "`name` required",
     "`name` optional (defaults to `avatar_id`); the client's `avatars.create` / `streaming.upload_avatar` "
     "leave it out too when not given", "demo (leaves it out)",
     "test_real_behaviour.py::test_avatar_create_without_name_and_detail_as_one_object"),
    ("POST /api/open/v3/audio/create", "answer fields `_id, status, url`",
     "the answer also carries `from` and `voice_model_id`", "observed",
     "test_real_behaviour.py::test_audio_v3_create_answers_from_and_voice_model_id"),
    ("POST /detect (legacy)", "auth header listed; `single_face` required",
     "no auth checked (no header or the docs' literal placeholder both work); without `single_face` one face, "
     "the largest", "observed", "test_real_behaviour.py::test_legacy_detect_without_auth_or_single_face"),
    ("`opts` of faceswap, reage and live faceswap", "a string `x1,y1:x2,y2:x3,y3:x4,y4`",
     "also the legacy `/detect` answer's one-face `landmarks_str` array passed on unchanged", "observed",
     "test_real_behaviour.py::test_live_faceswap_takes_landmarks_str_as_is_and_live_info_polls_to_ready"),
    ("POST /api/open/v4/voice/tts, /v3/audio/create", "voice ids \"from the lists\"; nothing says what happens",
     "an unlisted `voice_id` is refused before a job exists: 1008 naming the field (the voice changer's "
     "code)", "docs", "test_real_behaviour.py::test_unknown_ids_are_refused_before_a_job_exists"),
    ("POST /api/open/v3/talkingavatar/create, /v3/avatar/createVideo",
     "ids \"from the lists\"; the page lists 1003, not 1008",
     "an unlisted avatar or audio `voice_id` is 1003 naming `elements[i].…`", "docs",
     "test_real_behaviour.py::test_unknown_ids_are_refused_before_a_job_exists"),
    ("POST /api/open/v4/image2Video/createBySourcePrompt(/batch)", "`model_name` is an AI Model List value",
     "an unlisted `model_name` or `effect_code` is 1003 naming the field", "docs",
     "test_real_behaviour.py::test_unknown_ids_are_refused_before_a_job_exists"),
    ("POST /api/open/v3/talkingavatar/create, /v3/content/image/createbybutton (U1–U4)",
     "the output video is 3840×2160; U1–U4 \"generate a single 4k image\"",
     "that size by default (`render=\"full\"`); `render=\"fast\"` (`--fast`, the suite) renders small previews "
     "and says so: the result's answer carries `sim_render: {mode, size, full_size}`, the badge \"fast preview\"",
     "docs", "test_render_sizes.py::test_a_fast_talking_avatar_says_it_is_a_smaller_preview"),
    ("POST /api/open/v3/getToken", "the page lists 1000, 1101, 1102, 1200",
     "missing `clientId`/`clientSecret` (or no body) is 1102, wrong ones 1101 (never 1003)", "docs",
     "test_real_behaviour.py::test_get_token_without_credentials_answers_a_code_its_page_lists"),
    ("webhooks with a key that is not 16/24/32 bytes", "the AES key is the client secret",
     "creates with a `webhookUrl` work (a real key always fits AES); the service says once at start-up that "
     "webhooks are not sent and to pass `--client-secret`", "docs",
     "test_real_behaviour.py::test_a_short_key_still_creates_with_a_webhook_and_logs_why_none_is_sent"),
]

#: The client's free pre-check (``check=True``): (client call, argument, the free lists it looks in, evidence,
#: test). The docs say to take these ids from the lists; the lists cost nothing, a create with a typo does.
PRECHECKS = [
    ("`tts.create`, `voices.change`", "`voice_id`", "v4 voice list (Akool's, yours), v3 voice list", "docs",
     "test_precheck.py::test_a_typo_in_a_listed_id_is_refused_with_zero_posts"),
    ("`tts.create_v3`", "`voice_id`", "v3 voice list, then the v4 lists", "docs",
     "test_precheck.py::test_a_typo_in_a_listed_id_is_refused_with_zero_posts"),
    ("`talking_avatar.create`", "`elements[i].avatar_id`, `elements[i].voice_id`",
     "avatar list (`from=2` with avatar_from 2, else `from=3`), voice lists", "docs",
     "test_precheck.py::test_a_typo_in_a_listed_id_is_refused_with_zero_posts"),
    ("`image_to_video.create`", "`effect_code`", "image-to-video effects", "docs",
     "test_precheck.py::test_a_typo_in_a_listed_id_is_refused_with_zero_posts"),
    ("`image_to_video.create_batch`", "`model_name`", "AI model list (type 1501)", "docs",
     "test_precheck.py::test_a_typo_in_a_listed_id_is_refused_with_zero_posts"),
    ("`streaming.create_session`", "`avatar_id`", "streaming avatar list", "docs",
     "test_precheck.py::test_a_typo_in_a_listed_id_is_refused_with_zero_posts"),
]
