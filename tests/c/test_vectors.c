/*
 * Runs the shared test vectors (the JSON files under tests/vectors) through the C API, so that
 * the C layer provably gives the same answers as the Rust and Python layers.
 *
 * A vector file is a JSON array of flat objects whose values are strings (or
 * null): `case`, `op`, `input`, optional `extra`, `status` (`ok` or an error
 * kind's name) and optional `output`. With status `ok` the output is compared
 * with what the call returned; otherwise with the last error's message.
 *
 * A corpus file (tests/vectors/phones.json, emails.json, names.json) is an array
 * whose first object is a header with a `meta` key naming the corpus; every
 * other object is one case, compared field by field exactly as the Rust test
 * of that corpus compares it (crates/clientbase/tests/phone_corpus.rs,
 * email_vectors.rs, name_vectors.rs). Each phone and email case is read twice,
 * by one batch call over all the inputs and by a single parse. For phones the
 * expected fields are what clientbase must output, deliberate differences from
 * libphonenumber included (`reference_*` and `differs` are not compared; the
 * format is documented in tests/corpus/make_phone_corpus.py).
 *
 * Usage: test_vectors [--cases N] <file.json>...
 *   --cases N   run only the first N cases of each corpus (for slow tools)
 */
#include "testsupport.h"

#include <errno.h>

#define NOW 1735689600 /* 2025-01-01T00:00:00Z, the vectors' frozen clock */
#define MAX_KEYS 16

/* ---- a reader for exactly this JSON shape ------------------------------------ */

typedef struct {
    char *key;
    char *value; /* NULL for JSON null */
} field;

typedef struct {
    field fields[MAX_KEYS];
    size_t len;
} step;

typedef struct {
    const char *at;
    const char *error;
} reader;

static void skip_space(reader *r)
{
    while (*r->at == ' ' || *r->at == '\n' || *r->at == '\r' || *r->at == '\t') {
        r->at++;
    }
}

static int expect_char(reader *r, char c)
{
    skip_space(r);
    if (*r->at != c) {
        r->error = "unexpected character";
        return 0;
    }
    r->at++;
    return 1;
}

static int hex4(const char *s, unsigned *out)
{
    unsigned v = 0;
    for (int i = 0; i < 4; i++) {
        char c = s[i];
        v <<= 4;
        if (c >= '0' && c <= '9') {
            v |= (unsigned)(c - '0');
        } else if (c >= 'a' && c <= 'f') {
            v |= (unsigned)(c - 'a' + 10);
        } else if (c >= 'A' && c <= 'F') {
            v |= (unsigned)(c - 'A' + 10);
        } else {
            return 0;
        }
    }
    *out = v;
    return 1;
}

static size_t put_utf8(char *out, unsigned cp)
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* Reads a JSON string into a new NUL-terminated UTF-8 buffer (caller frees). */
static char *read_string(reader *r)
{
    if (!expect_char(r, '"')) {
        return NULL;
    }
    const char *start = r->at;
    size_t raw_len = 0;
    while (start[raw_len] != '"') {
        if (start[raw_len] == '\0') {
            r->error = "unterminated string";
            return NULL;
        }
        raw_len += start[raw_len] == '\\' && start[raw_len + 1] != '\0' ? 2 : 1;
    }
    /* Escapes never make the text longer: \uXXXX (6 bytes) is at most 3 bytes of
     * UTF-8, a surrogate pair (12 bytes) 4. */
    char *out = malloc(raw_len + 1);
    if (out == NULL) {
        r->error = "out of memory";
        return NULL;
    }
    size_t n = 0;
    const char *p = start;
    while (*p != '"') {
        if (*p != '\\') {
            out[n++] = *p++;
            continue;
        }
        p++;
        char c = *p++;
        switch (c) {
        case '"': out[n++] = '"'; break;
        case '\\': out[n++] = '\\'; break;
        case '/': out[n++] = '/'; break;
        case 'b': out[n++] = '\b'; break;
        case 'f': out[n++] = '\f'; break;
        case 'n': out[n++] = '\n'; break;
        case 'r': out[n++] = '\r'; break;
        case 't': out[n++] = '\t'; break;
        case 'u': {
            unsigned cp, low;
            if (!hex4(p, &cp)) {
                r->error = "bad \\u escape";
                free(out);
                return NULL;
            }
            p += 4;
            if (cp >= 0xD800 && cp <= 0xDBFF) {
                if (p[0] != '\\' || p[1] != 'u' || !hex4(p + 2, &low) || low < 0xDC00 ||
                    low > 0xDFFF) {
                    r->error = "unpaired surrogate";
                    free(out);
                    return NULL;
                }
                p += 6;
                cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
            } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
                r->error = "unpaired surrogate";
                free(out);
                return NULL;
            }
            if (cp == 0) {
                r->error = "\\u0000 cannot be passed as a C string";
                free(out);
                return NULL;
            }
            n += put_utf8(out + n, cp);
            break;
        }
        default:
            r->error = "bad escape";
            free(out);
            return NULL;
        }
    }
    out[n] = '\0';
    r->at = p + 1;
    return out;
}

static void free_step(step *s)
{
    for (size_t i = 0; i < s->len; i++) {
        free(s->fields[i].key);
        free(s->fields[i].value);
    }
    s->len = 0;
}

/* Reads one flat object; returns 0 with r->error set on malformed input. */
static int read_step(reader *r, step *s)
{
    s->len = 0;
    if (!expect_char(r, '{')) {
        return 0;
    }
    skip_space(r);
    if (*r->at == '}') {
        r->at++;
        return 1;
    }
    for (;;) {
        if (s->len == MAX_KEYS) {
            r->error = "too many keys";
            return 0;
        }
        char *key = read_string(r);
        if (key == NULL) {
            return 0;
        }
        s->fields[s->len].key = key;
        s->fields[s->len].value = NULL;
        s->len++;
        if (!expect_char(r, ':')) {
            return 0;
        }
        skip_space(r);
        if (strncmp(r->at, "null", 4) == 0) {
            r->at += 4;
        } else {
            char *value = read_string(r);
            if (value == NULL) {
                return 0;
            }
            s->fields[s->len - 1].value = value;
        }
        skip_space(r);
        if (*r->at == ',') {
            r->at++;
            continue;
        }
        return expect_char(r, '}');
    }
}

static const char *get(const step *s, const char *key)
{
    for (size_t i = 0; i < s->len; i++) {
        if (strcmp(s->fields[i].key, key) == 0) {
            return s->fields[i].value;
        }
    }
    return NULL;
}

static char *read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        fprintf(stderr, "%s: %s\n", path, strerror(errno));
        return NULL;
    }
    size_t cap = 1 << 16, len = 0;
    char *buf = malloc(cap);
    size_t got;
    while (buf != NULL && (got = fread(buf + len, 1, cap - len - 1, f)) > 0) {
        len += got;
        if (cap - len - 1 == 0) {
            char *bigger = realloc(buf, cap * 2);
            if (bigger == NULL) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = bigger;
            cap *= 2;
        }
    }
    fclose(f);
    if (buf != NULL) {
        buf[len] = '\0';
    }
    return buf;
}

/* ---- running a step ------------------------------------------------------------- */

typedef struct {
    cb_base *base;
} runner;

static int parse_id(const char *text, uint64_t *out)
{
    char *end = NULL;
    errno = 0;
    unsigned long long v = strtoull(text, &end, 10);
    if (errno != 0 || end == text || *end != '\0') {
        return 0;
    }
    *out = (uint64_t)v;
    return 1;
}

/* Formats an id as the vectors write it, in a buffer freed with free(). */
static char *id_text(uint64_t id)
{
    char *out = malloc(24);
    if (out != NULL) {
        snprintf(out, 24, "%" PRIu64, id);
    }
    return out;
}

typedef enum { OWNED_BY_LIBRARY, OWNED_BY_US } ownership;

/* ---- canonical JSON: object keys sorted, as the bridge writes its outputs ---- */

typedef struct {
    char *data;
    size_t len, cap;
} text_buf;

static int buf_put(text_buf *b, const char *s, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        size_t cap = (b->len + n + 1) * 2;
        char *data = realloc(b->data, cap);
        if (data == NULL) {
            return 0;
        }
        b->data = data;
        b->cap = cap;
    }
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
    return 1;
}

typedef struct {
    const char *key; /* the key with its quotes, as written */
    size_t key_len;
    text_buf value;
} member;

static int member_order(const void *a, const void *b)
{
    const member *x = a, *y = b;
    size_t n = x->key_len < y->key_len ? x->key_len : y->key_len;
    int c = memcmp(x->key + 1, y->key + 1, n - 1);
    return c != 0 ? c : (x->key_len > y->key_len) - (x->key_len < y->key_len);
}

static const char *skip_ws(const char *p)
{
    while (*p == ' ' || *p == '\n' || *p == '\t' || *p == '\r') {
        p++;
    }
    return p;
}

/* The end of the string literal starting at `p` (after its closing quote). */
static const char *string_end(const char *p)
{
    for (p++; *p && *p != '"'; p++) {
        if (*p == '\\' && p[1]) {
            p++;
        }
    }
    return *p == '"' ? p + 1 : NULL;
}

/* Writes the JSON value at `p` with its object keys sorted; returns its end. */
static const char *canonical_value(const char *p, text_buf *out)
{
    p = skip_ws(p);
    if (*p == '"') {
        const char *end = string_end(p);
        return end && buf_put(out, p, (size_t)(end - p)) ? end : NULL;
    }
    if (*p == '[') {
        buf_put(out, "[", 1);
        p = skip_ws(p + 1);
        for (int first = 1; *p != ']'; first = 0) {
            if (!first) {
                if (*p != ',') {
                    return NULL;
                }
                buf_put(out, ",", 1);
            }
            p = canonical_value(p + (first ? 0 : 1), out);
            if (p == NULL) {
                return NULL;
            }
            p = skip_ws(p);
        }
        return buf_put(out, "]", 1) ? p + 1 : NULL;
    }
    if (*p == '{') {
        member members[64];
        size_t n = 0;
        const char *result = NULL;
        p = skip_ws(p + 1);
        while (*p != '}') {
            if (n > 0 && *p++ != ',') {
                goto done;
            }
            p = skip_ws(p);
            const char *end = *p == '"' ? string_end(p) : NULL;
            if (end == NULL || n == 64) {
                goto done;
            }
            members[n] = (member){p, (size_t)(end - p), {NULL, 0, 0}};
            p = skip_ws(end);
            if (*p != ':') {
                goto done;
            }
            p = canonical_value(p + 1, &members[n++].value);
            if (p == NULL) {
                goto done;
            }
            p = skip_ws(p);
        }
        qsort(members, n, sizeof *members, member_order);
        buf_put(out, "{", 1);
        for (size_t i = 0; i < n; i++) {
            if (i > 0) {
                buf_put(out, ",", 1);
            }
            buf_put(out, members[i].key, members[i].key_len);
            buf_put(out, ":", 1);
            buf_put(out, members[i].value.data, members[i].value.len);
        }
        result = buf_put(out, "}", 1) ? p + 1 : NULL;
    done:
        for (size_t i = 0; i < n; i++) {
            free(members[i].value.data);
        }
        return result;
    }
    const char *start = p;
    while (*p && strchr(",]} \n\t\r", *p) == NULL) {
        p++;
    }
    return p > start && buf_put(out, start, (size_t)(p - start)) ? p : NULL;
}

/* `json` with its object keys sorted, in a buffer freed with free(); NULL when
 * it is not JSON. */
static char *canonical_json(const char *json)
{
    text_buf out = {NULL, 0, 0};
    const char *end = canonical_value(json, &out);
    if (end == NULL || *skip_ws(end) != '\0') {
        free(out.data);
        return NULL;
    }
    return out.data;
}

/* Runs one step; `*output` receives what the call returned (or NULL), with
 * `*owner` saying how to free it. Returns the status, or -1 for an unknown op. */
static long run_op(runner *rn, const char *op, const char *input, const char *extra,
                   char **output, ownership *owner)
{
    uint64_t id = 0;
    cb_status st;
    *output = NULL;
    *owner = OWNED_BY_LIBRARY;
    if (strcmp(op, "new_base") == 0) {
        cb_base_free(rn->base);
        rn->base = NULL;
        st = cb_base_new(input, &rn->base);
        if (st == CB_OK) {
            st = cb_base_freeze_clock(rn->base, NOW);
        }
        return st;
    }
    if (rn->base == NULL) {
        fprintf(stderr, "op %s before new_base\n", op);
        return -1;
    }
    if (strcmp(op, "declare_tag") == 0) {
        return cb_base_declare_tag(rn->base, input);
    }
    if (strcmp(op, "declare_field") == 0) {
        return cb_base_declare_field_json(rn->base, input);
    }
    if (strcmp(op, "add_client") == 0 || strcmp(op, "add_deal") == 0 ||
        strcmp(op, "add_activity") == 0) {
        st = op[4] == 'c'   ? cb_base_add_json(rn->base, "client", input, &id)
             : op[4] == 'd' ? cb_base_add_json(rn->base, "deal", input, &id)
                            : cb_base_add_json(rn->base, "activity", input, &id);
        if (st == CB_OK) {
            *output = id_text(id);
            *owner = OWNED_BY_US;
        }
        return st;
    }
    if (strcmp(op, "update_client") == 0) {
        return cb_base_update_json(rn->base, "client", input);
    }
    if (strcmp(op, "update_deal") == 0) {
        return cb_base_update_json(rn->base, "deal", input);
    }
    if (strcmp(op, "update_activity") == 0) {
        return cb_base_update_json(rn->base, "activity", input);
    }
    if (strcmp(op, "get_client") == 0 || strcmp(op, "get_deal") == 0 ||
        strcmp(op, "get_activity") == 0) {
        if (!parse_id(input, &id)) {
            fprintf(stderr, "%s: bad id %s\n", op, input);
            return -1;
        }
        return op[4] == 'c'   ? cb_base_record_json(rn->base, "client", id, output)
               : op[4] == 'd' ? cb_base_record_json(rn->base, "deal", id, output)
                              : cb_base_record_json(rn->base, "activity", id, output);
    }
    if (strcmp(op, "import_clients_csv") == 0 || strcmp(op, "import_deals_csv") == 0) {
        /* Through the bridge: {"csv": input, "mapping": extra}. */
        size_t size = 2 * strlen(input) + strlen(extra) + 32;
        char *params = malloc(size);
        if (params == NULL) {
            return -1;
        }
        size_t n = (size_t)snprintf(params, size, "{\"mapping\":%s,\"csv\":", extra);
        if (!ts_json_string(input, params + n, size - n - 1)) {
            free(params);
            return -1;
        }
        strcat(params, "}");
        st = op[7] == 'c' ? cb_base_call_mut(rn->base, "import_clients_csv", params, output)
                          : cb_base_call_mut(rn->base, "import_deals_csv", params, output);
        free(params);
        return st;
    }
    if (strcmp(op, "counts") == 0) {
        st = cb_base_call(rn->base, "counts", NULL, output);
        return st;
    }
    if (strcmp(op, "export_json") == 0) {
        return cb_base_to_json(rn->base, output);
    }
    fprintf(stderr, "unknown op %s\n", op);
    return -1;
}

static void free_output(char *output, ownership owner)
{
    if (owner == OWNED_BY_US) {
        free(output);
    } else {
        cb_string_free(output);
    }
}

static void run_step(runner *rn, const char *file, size_t index, const step *s)
{
    const char *name = get(s, "case");
    const char *op = get(s, "op");
    const char *input = get(s, "input");
    const char *extra = get(s, "extra");
    const char *want_status = get(s, "status");
    const char *want_output = get(s, "output");
    char where[256];
    snprintf(where, sizeof where, "%s step %zu (case %s, op %s)", file, index,
             name ? name : "?", op ? op : "?");
    if (op == NULL || want_status == NULL) {
        ts_check(0, __FILE__, __LINE__, where, "missing op or status");
        return;
    }
    char *output = NULL;
    ownership owner;
    long st = run_op(rn, op, input ? input : "", extra ? extra : "{}", &output, &owner);
    if (st < 0) {
        ts_check(0, __FILE__, __LINE__, where, "op not supported by the C runner");
        return;
    }
    const char *got_status = cb_status_name((uint32_t)st);
    char detail[4096];
    snprintf(detail, sizeof detail, "status %s (%s), expected %s", got_status,
             cb_last_error_message(), want_status);
    int ok = strcmp(got_status, want_status) == 0;
    if (ok && want_output != NULL) {
        const char *got = st == CB_OK ? output : cb_last_error_message();
        /* The bridge's reports have their keys sorted; the vectors keep the
         * core's field order. */
        char *want = NULL;
        if (st == CB_OK && (strncmp(op, "import_", 7) == 0 || strcmp(op, "counts") == 0)) {
            want = canonical_json(want_output);
        }
        ok = got != NULL && strcmp(got, want ? want : want_output) == 0;
        free(want);
        snprintf(detail, sizeof detail, "output\n     got: %s\nexpected: %s",
                 got ? got : "(null)", want_output);
    }
    ts_check(ok, __FILE__, __LINE__, where, detail);
    free_output(output, owner);
}

/* ---- corpora ---------------------------------------------------------------------- */

static size_t corpus_limit = (size_t)-1;

/* Reads the remaining objects of the array, up to and including its closing ']'. */
static int read_rest(reader *r, step **out, size_t *len)
{
    size_t cap = 1024;
    step *all = malloc(cap * sizeof *all);
    *len = 0;
    if (all == NULL) {
        r->error = "out of memory";
        return 0;
    }
    for (;;) {
        skip_space(r);
        if (*r->at == ']') {
            r->at++;
            *out = all;
            return 1;
        }
        if (!expect_char(r, ',')) {
            break;
        }
        if (*len == cap) {
            step *bigger = realloc(all, 2 * cap * sizeof *all);
            if (bigger == NULL) {
                r->error = "out of memory";
                break;
            }
            all = bigger;
            cap *= 2;
        }
        if (!read_step(r, &all[*len])) {
            free_step(&all[*len]);
            break;
        }
        (*len)++;
    }
    for (size_t i = 0; i < *len; i++) {
        free_step(&all[i]);
    }
    free(all);
    *len = 0;
    return 0;
}

static int same(const char *a, const char *b)
{
    return (a == NULL && b == NULL) || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

/* What a call gave for one field of a case (NULL for null). */
typedef struct {
    const char *name;
    const char *got;
} got_field;

/* Checks that every field got is the case's field of that name. */
static void check_fields(const step *c, const got_field *fields, size_t n, const char *how,
                         const char *file, size_t index)
{
    char detail[2048];
    size_t used = 0;
    detail[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        const char *want = get(c, fields[i].name);
        if (!same(fields[i].got, want) && used < sizeof detail) {
            used += (size_t)snprintf(detail + used, sizeof detail - used,
                                     "%s%s: expected %s, got %s", used ? "; " : "",
                                     fields[i].name, want ? want : "null",
                                     fields[i].got ? fields[i].got : "null");
        }
    }
    char where[512];
    snprintf(where, sizeof where, "%s case %zu (%s) \"%s\"", file, index, how, get(c, "input"));
    ts_check(used == 0, __FILE__, __LINE__, where, used ? detail : NULL);
}

/* A display format without the extension, as the corpus writes it: `text` with
 * " <label> <extension>" taken off the end, NULL if it does not end so. Returns a
 * string to free with free(). */
static char *format_without_extension(const char *text, const char *ext, const char *label)
{
    if (text == NULL) {
        return NULL;
    }
    size_t len = strlen(text);
    char *out = malloc(len + 1);
    if (out != NULL) {
        memcpy(out, text, len + 1);
        if (ext != NULL) {
            char suffix[128];
            snprintf(suffix, sizeof suffix, " %s %s", label, ext);
            size_t n = strlen(suffix);
            if (len >= n && strcmp(out + len - n, suffix) == 0) {
                out[len - n] = '\0';
            } else {
                free(out);
                out = NULL;
            }
        }
    }
    return out;
}

/* Compares what the library read for one case with the case: `json` is what
 * cb_phone_normalizer_parse gave; `how` says which call. */
static void check_phone_case(const step *c, const char *json, const char *how,
                             const char *file, size_t index)
{
    const char *valid = ts_json_get(json, "valid");
    const char *ext = ts_json_get(json, "extension");
    char *national = format_without_extension(ts_json_get(json, "national"), ext, "доб.");
    char *international =
        format_without_extension(ts_json_get(json, "international"), ext, "ext.");
    got_field fields[] = {
        {"valid", valid},
        {"e164", ts_json_get(json, "e164")},
        {"extension", ext},
        {"type", ts_json_get(json, "kind")},
        {"region", ts_json_get(json, "region")},
        {"national", national},
        {"international", international},
    };
    check_fields(c, fields, sizeof fields / sizeof fields[0], how, file, index);
    free(national);
    free(international);
}

/* The same for row `row` of the batch table. */
static void check_phone_row(const step *c, const ts_table *t, size_t row, const char *file,
                            size_t index)
{
    const char *valid = ts_table_get(t, "valid", row);
    got_field fields[] = {
        {"valid", valid},
        {"e164", ts_table_get(t, "e164", row)},
        {"extension", ts_table_get(t, "extension", row)},
        {"type", ts_table_get(t, "kind", row)},
        {"region", ts_table_get(t, "region", row)},
    };
    check_fields(c, fields, sizeof fields / sizeof fields[0], "batch", file, index);
}

/* The `split` field of a case: the E.164 of each number split finds, or "invalid". */
static void check_phone_split(const step *c, const cb_phone_normalizer *phones,
                              const char *file, size_t index)
{
    const char *want = get(c, "split");
    char *numbers = NULL;
    char got[1024];
    size_t used = 0;
    got[0] = '\0';
    if (cb_phone_normalizer_split(phones, get(c, "input"), &numbers) == CB_OK) {
        for (size_t i = 0; i < ts_json_len(numbers) && used < sizeof got; i++) {
            const char *e164 = ts_json_get(ts_json_at(numbers, i), "e164");
            used += (size_t)snprintf(got + used, sizeof got - used, "%s%s", i ? " " : "",
                                     e164 ? e164 : "invalid");
        }
    }
    cb_string_free(numbers);
    char where[512], detail[2200];
    snprintf(where, sizeof where, "%s case %zu (split) \"%s\"", file, index, get(c, "input"));
    snprintf(detail, sizeof detail, "expected %s, got %s", want ? want : "null", got);
    ts_check(want != NULL && strcmp(want, got) == 0, __FILE__, __LINE__, where, detail);
}

static void run_phone_corpus(const char *file, const step *meta, const step *cases, size_t n)
{
    cb_phone_normalizer *phones = NULL;
    if (cb_phone_normalizer_new(get(meta, "default_region"), &phones) != CB_OK) {
        ts_check(0, __FILE__, __LINE__, file, cb_last_error_message());
        return;
    }
    const char **inputs = malloc((n ? n : 1) * sizeof *inputs);
    if (inputs == NULL) {
        ts_check(0, __FILE__, __LINE__, file, "out of memory");
        cb_phone_normalizer_free(phones);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        inputs[i] = get(&cases[i], "input");
    }
    int failed_before = ts_failed;
    cb_table *batch = NULL;
    ts_table t;
    cb_status st = cb_phone_normalizer_parse_batch(phones, inputs, n, &batch);
    int read = st == CB_OK && ts_table_read(batch, &t);
    ts_check(read && t.rows == n, __FILE__, __LINE__, file, "the batch call reads every case");
    for (size_t i = 0; i < n && read; i++) {
        check_phone_row(&cases[i], &t, i, file, i + 1);
        char *single = NULL;
        if (cb_phone_normalizer_parse(phones, inputs[i], &single) != CB_OK) {
            ts_check(0, __FILE__, __LINE__, file, cb_last_error_message());
            continue;
        }
        check_phone_case(&cases[i], single, "single", file, i + 1);
        cb_string_free(single);
        char *e164 = NULL;
        if (cb_phone_normalizer_e164(phones, inputs[i], &e164) != CB_OK) {
            ts_check(0, __FILE__, __LINE__, file, cb_last_error_message());
            continue;
        }
        if (!same(e164, get(&cases[i], "e164"))) {
            ts_check(0, __FILE__, __LINE__, file, "cb_phone_normalizer_e164 differs");
        }
        cb_string_free(e164);
        if (get(&cases[i], "split") != NULL) {
            check_phone_split(&cases[i], phones, file, i + 1);
        }
    }
    if (read) {
        ts_table_free(&t);
    }
    cb_table_free(batch);
    free(inputs);
    cb_phone_normalizer_free(phones);
    printf("%s: %zu cases, %d disagree (%s)\n", file, n, ts_failed - failed_before,
           get(meta, "reference") ? get(meta, "reference") : "no reference named");
}

/* An email case, as crates/clientbase/tests/email_vectors.rs compares it: `get_plain`
 * from a normalizer without provider rules, `get_rules` from one with them (the JSON
 * of a single parse, or a row of the batch tables). */
typedef struct {
    const char *json;
    const ts_table *table;
    size_t row;
} email_source;

static const char *email_field(const email_source *s, const char *key)
{
    if (s->json != NULL) {
        return ts_json_get(s->json, key);
    }
    return ts_table_get(s->table, key, s->row);
}

static void check_email_case(const step *c, const email_source *email,
                             const email_source *with_rules, const char *how,
                             const char *file, size_t index)
{
    const char *valid = email_field(email, "valid");
    int is_valid = valid != NULL && strcmp(valid, "true") == 0;
    got_field fields[] = {
        {"valid", valid},
        {"address", email_field(email, "address")},
        {"key", email_field(email, "key")},
        {"key_provider_rules", is_valid ? email_field(with_rules, "key") : NULL},
        {"suggestion", email_field(email, "suggestion")},
        {"problem", email_field(email, "problem")},
        {"reason", email_field(email, "reason")},
    };
    check_fields(c, fields, sizeof fields / sizeof fields[0], how, file, index);
}

static void run_email_corpus(const char *file, const step *cases, size_t n)
{
    cb_email_normalizer *plain = NULL, *rules = NULL;
    const char **inputs = malloc((n ? n : 1) * sizeof *inputs);
    cb_table *batch = NULL, *batch_rules = NULL;
    ts_table t, t_rules;
    int ok = inputs != NULL && cb_email_normalizer_new(false, &plain) == CB_OK &&
             cb_email_normalizer_new(true, &rules) == CB_OK;
    for (size_t i = 0; ok && i < n; i++) {
        inputs[i] = get(&cases[i], "input");
    }
    ok = ok && cb_email_normalizer_parse_batch(plain, inputs, n, &batch) == CB_OK &&
         cb_email_normalizer_parse_batch(rules, inputs, n, &batch_rules) == CB_OK;
    int read = ok && ts_table_read(batch, &t);
    int read_rules = ok && ts_table_read(batch_rules, &t_rules);
    ok = read && read_rules && t.rows == n && t_rules.rows == n;
    ts_check(ok, __FILE__, __LINE__, file, ok ? NULL : cb_last_error_message());
    for (size_t i = 0; ok && i < n; i++) {
        char *single = NULL, *single_rules = NULL;
        if (cb_email_normalizer_parse(plain, inputs[i], &single) != CB_OK ||
            cb_email_normalizer_parse(rules, inputs[i], &single_rules) != CB_OK) {
            ts_check(0, __FILE__, __LINE__, file, cb_last_error_message());
        } else {
            email_source row = {NULL, &t, i}, row_rules = {NULL, &t_rules, i};
            email_source one = {single, NULL, 0}, one_rules = {single_rules, NULL, 0};
            check_email_case(&cases[i], &row, &row_rules, "batch", file, i + 1);
            check_email_case(&cases[i], &one, &one_rules, "single", file, i + 1);
        }
        cb_string_free(single);
        cb_string_free(single_rules);
    }
    if (read) {
        ts_table_free(&t);
    }
    if (read_rules) {
        ts_table_free(&t_rules);
    }
    cb_table_free(batch);
    cb_table_free(batch_rules);
    cb_email_normalizer_free(plain);
    cb_email_normalizer_free(rules);
    free(inputs);
    printf("%s: %zu cases\n", file, n);
}

/* A name case, as crates/clientbase/tests/name_vectors.rs compares it: by a single
 * parse and by a row of the batch table. */
static void run_name_corpus(const char *file, const step *cases, size_t n)
{
    const char **inputs = malloc((n ? n : 1) * sizeof *inputs);
    cb_table *batch = NULL;
    ts_table t;
    for (size_t i = 0; inputs != NULL && i < n; i++) {
        inputs[i] = get(&cases[i], "input");
    }
    int read = inputs != NULL && cb_person_name_parse_batch(inputs, n, &batch) == CB_OK &&
               ts_table_read(batch, &t);
    ts_check(read && t.rows == n, __FILE__, __LINE__, file, "the batch call reads every case");
    for (size_t i = 0; read && i < n; i++) {
        char *name = NULL;
        char *text_key = NULL;
        if (cb_person_name_parse(inputs[i], &name) != CB_OK ||
            cb_name_key(inputs[i], &text_key) != CB_OK) {
            ts_check(0, __FILE__, __LINE__, file, cb_last_error_message());
        } else {
            got_field fields[] = {
                {"surname", ts_json_get(name, "surname")},
                {"given", ts_json_get(name, "given")},
                {"patronymic", ts_json_get(name, "patronymic")},
                {"gender", ts_json_get(name, "gender")},
                {"initials", ts_json_get(name, "initials")},
                {"key", ts_json_get(name, "key")},
                {"text_key", text_key},
            };
            check_fields(&cases[i], fields, sizeof fields / sizeof fields[0], "parse", file,
                         i + 1);
            got_field row[] = {
                {"surname", ts_table_get(&t, "surname", i)},
                {"given", ts_table_get(&t, "given", i)},
                {"patronymic", ts_table_get(&t, "patronymic", i)},
                {"gender", ts_table_get(&t, "gender", i)},
                {"initials", ts_table_get(&t, "initials", i)},
                {"key", ts_table_get(&t, "key", i)},
            };
            check_fields(&cases[i], row, sizeof row / sizeof row[0], "batch", file, i + 1);
        }
        cb_string_free(name);
        cb_string_free(text_key);
    }
    if (read) {
        ts_table_free(&t);
    }
    cb_table_free(batch);
    free(inputs);
    printf("%s: %zu cases\n", file, n);
}

/* Runs a corpus whose header `meta` has been read; `r` is just after it. */
static int run_corpus(reader *r, const char *file, const step *meta)
{
    step *cases = NULL;
    size_t n = 0;
    if (!read_rest(r, &cases, &n)) {
        return 0;
    }
    const char *kind = get(meta, "meta");
    size_t run = n < corpus_limit ? n : corpus_limit;
    if (n == 0) {
        ts_check(0, __FILE__, __LINE__, file, "no cases");
    } else if (kind != NULL && strncmp(kind, "phone corpus", 12) == 0) {
        run_phone_corpus(file, meta, cases, run);
    } else if (kind != NULL && strncmp(kind, "email vectors", 13) == 0) {
        run_email_corpus(file, cases, run);
    } else if (kind != NULL && strncmp(kind, "name vectors", 12) == 0) {
        run_name_corpus(file, cases, run);
    } else {
        ts_check(0, __FILE__, __LINE__, file, "the C runner does not know this corpus");
    }
    for (size_t i = 0; i < n; i++) {
        free_step(&cases[i]);
    }
    free(cases);
    return 1;
}

static void run_file(const char *path)
{
    char *text = read_file(path);
    if (text == NULL) {
        ts_check(0, __FILE__, __LINE__, path, "cannot read the file");
        return;
    }
    reader r = {text, NULL};
    runner rn = {NULL};
    step s = {.len = 0};
    size_t index = 0;
    int ok = expect_char(&r, '[');
    skip_space(&r);
    if (ok && *r.at == ']') {
        r.at++;
    } else {
        while (ok) {
            ok = read_step(&r, &s);
            if (ok && index == 0 && get(&s, "meta") != NULL) {
                /* A corpus: its runner reads the rest of the file. */
                ok = run_corpus(&r, path, &s);
                free_step(&s);
                index = 1;
                break;
            }
            if (ok) {
                run_step(&rn, path, index++, &s);
            }
            free_step(&s);
            skip_space(&r);
            if (ok && *r.at == ',') {
                r.at++;
            } else if (ok) {
                ok = expect_char(&r, ']');
                break;
            }
        }
    }
    if (!ok) {
        char detail[256];
        snprintf(detail, sizeof detail, "malformed vector file at byte %ld: %s",
                 (long)(r.at - text), r.error ? r.error : "?");
        ts_check(0, __FILE__, __LINE__, path, detail);
    } else if (index == 0) {
        ts_check(0, __FILE__, __LINE__, path, "no steps");
    }
    cb_base_free(rn.base);
    free(text);
}

int main(int argc, char **argv)
{
    int first = 1;
    if (argc > 2 && strcmp(argv[1], "--cases") == 0) {
        corpus_limit = (size_t)strtoull(argv[2], NULL, 10);
        first = 3;
    }
    if (argc <= first) {
        fprintf(stderr, "usage: %s [--cases N] <vectors.json>...\n", argv[0]);
        return 2;
    }
    for (int i = first; i < argc; i++) {
        run_file(argv[i]);
    }
    return ts_finish();
}
