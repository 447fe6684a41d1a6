/*
 * Runs the shared capability vectors (tests/vectors/capabilities.json) through the C
 * bridge's generic entry points: `cb_call` for a case without a base, and
 * `cb_base_from_json` then `cb_base_call_mut` for a case on a base (its clock frozen at
 * the file's `now_unix`). The output text is
 * compared with the expected output with the white space outside strings removed (the
 * file keeps it in the form the core writes: compact once minified, keys sorted), and
 * an error with the expected kind (`cb_status_name`) and a part of its message.
 * The Rust (crates/clientbase/tests/capability_vectors.rs) and Python
 * (python/tests/test_capability_vectors.py) runners read the same file.
 *
 * Usage: test_capability_vectors <capabilities.json>
 */
#include "testsupport.h"

/* ---- spans of JSON values ------------------------------------------------------- */

typedef struct {
    const char *start;
    size_t len;
} span;

static const char *skip_space(const char *p)
{
    while (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t') {
        p++;
    }
    return p;
}

/* The end of the string starting at the quote `p` (just past its closing quote). */
static const char *skip_string(const char *p)
{
    p++;
    while (*p != '"') {
        if (*p == '\0') {
            return NULL;
        }
        p += (*p == '\\' && p[1] != '\0') ? 2 : 1;
    }
    return p + 1;
}

/* The end of the JSON value starting at `p`, or NULL when it is malformed. */
static const char *skip_value(const char *p)
{
    p = skip_space(p);
    if (*p == '"') {
        return skip_string(p);
    }
    if (*p == '{' || *p == '[') {
        int depth = 0;
        while (*p != '\0') {
            if (*p == '"') {
                p = skip_string(p);
                if (p == NULL) {
                    return NULL;
                }
                continue;
            }
            if (*p == '{' || *p == '[') {
                depth++;
            } else if (*p == '}' || *p == ']') {
                depth--;
                if (depth == 0) {
                    return p + 1;
                }
            }
            p++;
        }
        return NULL;
    }
    /* A number, true, false or null. */
    const char *start = p;
    while (*p != '\0' && *p != ',' && *p != '}' && *p != ']' && *p != ' ' && *p != '\n') {
        p++;
    }
    return p == start ? NULL : p;
}

/* The value of `key` in the object spanned by `object`; `found` is 0 when absent. */
static span member(span object, const char *key, int *found)
{
    span none = {NULL, 0};
    *found = 0;
    const char *p = skip_space(object.start);
    if (*p != '{') {
        return none;
    }
    p++;
    size_t key_len = strlen(key);
    for (;;) {
        p = skip_space(p);
        if (*p == '}' || *p != '"') {
            return none;
        }
        const char *key_end = skip_string(p);
        if (key_end == NULL) {
            return none;
        }
        int match = (size_t)(key_end - p - 2) == key_len && strncmp(p + 1, key, key_len) == 0;
        p = skip_space(key_end);
        if (*p != ':') {
            return none;
        }
        const char *value = skip_space(p + 1);
        const char *end = skip_value(value);
        if (end == NULL) {
            return none;
        }
        if (match) {
            *found = 1;
            span out = {value, (size_t)(end - value)};
            return out;
        }
        p = skip_space(end);
        if (*p == ',') {
            p++;
        }
    }
}

/* A copy of the span with the white space outside strings removed (caller frees). */
static char *minified(span value)
{
    char *out = malloc(value.len + 1);
    if (out == NULL) {
        return NULL;
    }
    size_t n = 0;
    int in_string = 0;
    for (size_t i = 0; i < value.len; i++) {
        char c = value.start[i];
        if (in_string) {
            out[n++] = c;
            if (c == '\\' && i + 1 < value.len) {
                out[n++] = value.start[++i];
            } else if (c == '"') {
                in_string = 0;
            }
        } else if (c == '"') {
            in_string = 1;
            out[n++] = c;
        } else if (c != ' ' && c != '\n' && c != '\r' && c != '\t') {
            out[n++] = c;
        }
    }
    out[n] = '\0';
    return out;
}

/* The text of a JSON string without escapes (these keys never hold any), caller frees. */
static char *plain_string(span value)
{
    if (value.len < 2 || value.start[0] != '"' || memchr(value.start, '\\', value.len)) {
        return NULL;
    }
    char *out = malloc(value.len - 1);
    if (out != NULL) {
        memcpy(out, value.start + 1, value.len - 2);
        out[value.len - 2] = '\0';
    }
    return out;
}

static char *read_file(const char *path)
{
    FILE *file = fopen(path, "rb");
    if (file == NULL) {
        return NULL;
    }
    fseek(file, 0, SEEK_END);
    long size = ftell(file);
    fseek(file, 0, SEEK_SET);
    char *text = size >= 0 ? malloc((size_t)size + 1) : NULL;
    if (text != NULL) {
        size_t got = fread(text, 1, (size_t)size, file);
        text[got] = '\0';
    }
    fclose(file);
    return text;
}

/* ---- one case ------------------------------------------------------------------------ */

static void run_case(span bases, int64_t now, span item, int number)
{
    int found = 0;
    char label[256];
    char *name = plain_string(member(item, "case", &found));
    snprintf(label, sizeof label, "case %d (%s)", number, name ? name : "?");
    free(name);

    char *capability = plain_string(member(item, "capability", &found));
    char *params = minified(member(item, "params", &found));
    span input = member(item, "input", &found);
    span expected = member(item, "expected", &found);
    int has_expected = found;
    span error = member(item, "error", &found);
    int has_error = found;
    ts_check(capability != NULL && params != NULL && (has_error != has_expected), __FILE__,
             __LINE__, "the case has a capability, params and one of expected/error", label);
    if (capability == NULL || params == NULL || has_error == has_expected) {
        free(capability);
        free(params);
        return;
    }

    char *out = NULL;
    cb_status status;
    if (input.len == 4 && strncmp(input.start, "null", 4) == 0) {
        status = cb_call(capability, params, &out);
    } else {
        char *base_name = plain_string(input);
        char *snapshot = base_name ? minified(member(bases, base_name, &found)) : NULL;
        struct cb_base *base = NULL;
        cb_status loaded = snapshot ? cb_base_from_json(snapshot, &base) : CB_INVALID_VALUE;
        if (loaded == CB_OK) {
            loaded = cb_base_freeze_clock(base, now);
        }
        ts_check(loaded == CB_OK, __FILE__, __LINE__, "the case's base loads", label);
        status = loaded == CB_OK ? cb_base_call_mut(base, capability, params, &out) : loaded;
        cb_base_free(base);
        free(snapshot);
        free(base_name);
    }

    char detail[2048];
    if (has_error) {
        char *kind = plain_string(member(error, "kind", &found));
        char *contains = plain_string(member(error, "contains", &found));
        const char *message = cb_last_error_message();
        snprintf(detail, sizeof detail, "%.256s: got %.40s (%.300s), expected %.40s containing \"%.100s\"", label,
                 cb_status_name(status), message ? message : "", kind ? kind : "?",
                 contains ? contains : "?");
        ts_check(status != CB_OK && kind != NULL && contains != NULL &&
                     strcmp(cb_status_name(status), kind) == 0 && message != NULL &&
                     strstr(message, contains) != NULL,
                 __FILE__, __LINE__, "the error has the expected kind and message", detail);
        free(kind);
        free(contains);
    } else {
        char *want = minified(expected);
        snprintf(detail, sizeof detail, "%.256s: status %.40s (%.300s)\n  got      %.400s\n  expected %.400s",
                 label, cb_status_name(status), status == CB_OK ? "" : cb_last_error_message(),
                 out ? out : "(null)", want ? want : "(null)");
        ts_check(status == CB_OK && out != NULL && want != NULL && strcmp(out, want) == 0,
                 __FILE__, __LINE__, "the output is the expected output", detail);
        free(want);
    }
    cb_string_free(out);
    free(capability);
    free(params);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s <capabilities.json>\n", argv[0]);
        return 2;
    }
    char *text = read_file(argv[1]);
    if (text == NULL) {
        fprintf(stderr, "cannot read %s\n", argv[1]);
        return 2;
    }
    span doc = {text, strlen(text)};
    int found = 0;
    span bases = member(doc, "bases", &found);
    CHECK(found);
    span now_text = member(doc, "now_unix", &found);
    CHECK(found);
    int64_t now = found ? strtoll(now_text.start, NULL, 10) : 0;
    span vectors = member(doc, "vectors", &found);
    CHECK(found && vectors.start[0] == '[');
    int cases = 0;
    if (found) {
        const char *p = vectors.start + 1;
        for (;;) {
            p = skip_space(p);
            if (*p != '{') {
                break;
            }
            const char *end = skip_value(p);
            if (end == NULL) {
                CHECK(!"the vectors are well-formed JSON");
                break;
            }
            span item = {p, (size_t)(end - p)};
            run_case(bases, now, item, ++cases);
            p = skip_space(end);
            if (*p == ',') {
                p++;
            }
        }
    }
    CHECK(cases >= 20);
    free(text);
    return ts_finish();
}
