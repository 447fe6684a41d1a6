/*
 * A minimal test harness for the C tests: checks count instead of aborting,
 * and every program ends with the line "N passed, M failed" that CI reads.
 */
#ifndef CB_TESTSUPPORT_H
#define CB_TESTSUPPORT_H

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <clientbase.h>

static int ts_passed = 0;
static int ts_failed = 0;

static void ts_check(int ok, const char *file, int line, const char *what, const char *detail)
{
    if (ok) {
        ts_passed++;
        return;
    }
    ts_failed++;
    fprintf(stderr, "%s:%d: FAILED: %s%s%s\n", file, line, what, detail ? ": " : "",
            detail ? detail : "");
}

#define CHECK(expr) ts_check((expr) ? 1 : 0, __FILE__, __LINE__, #expr, NULL)

/* A call's status is `expected`; on a surprise the library's message is shown. */
#define CHECK_STATUS(call, expected)                                                       \
    do {                                                                                   \
        cb_status ts_status_ = (call);                                                     \
        char ts_msg_[512];                                                                 \
        snprintf(ts_msg_, sizeof ts_msg_, "got %s (%s), expected %s",                      \
                 cb_status_name(ts_status_), cb_last_error_message(),                      \
                 cb_status_name(expected));                                                \
        ts_check(ts_status_ == (expected), __FILE__, __LINE__, #call, ts_msg_);            \
    } while (0)

#define CHECK_OK(call) CHECK_STATUS(call, CB_OK)

#define CHECK_STR(actual, expected)                                                        \
    do {                                                                                   \
        const char *ts_a_ = (actual);                                                      \
        const char *ts_e_ = (expected);                                                    \
        int ts_ok_ = (ts_a_ == NULL && ts_e_ == NULL) ||                                   \
                     (ts_a_ != NULL && ts_e_ != NULL && strcmp(ts_a_, ts_e_) == 0);        \
        char ts_msg_[8192];                                                                \
        snprintf(ts_msg_, sizeof ts_msg_, "got \"%s\", expected \"%s\"",                   \
                 ts_a_ ? ts_a_ : "(null)", ts_e_ ? ts_e_ : "(null)");                      \
        ts_check(ts_ok_, __FILE__, __LINE__, #actual " == " #expected, ts_msg_);           \
    } while (0)

/* Writes `text` as a JSON string literal (with its quotes) into `out` of
 * `size` bytes; returns 0 when it did not fit. */
static inline int ts_json_string(const char *text, char *out, size_t size)
{
    size_t n = 0;
    if (size < 3) {
        return 0;
    }
    out[n++] = '"';
    for (const char *p = text; *p; p++) {
        const char *esc = *p == '"' ? "\\\"" : *p == '\\' ? "\\\\" : *p == '\n' ? "\\n" : NULL;
        size_t len = esc ? 2 : 1;
        if (n + len + 2 > size) {
            return 0;
        }
        if (esc) {
            out[n++] = esc[0];
            out[n++] = esc[1];
        } else {
            out[n++] = *p;
        }
    }
    out[n++] = '"';
    out[n] = '\0';
    return 1;
}

/* ---- reading the library's JSON ---------------------------------------------------
 * Enough JSON to read what the library writes (compact serde output): find a key
 * of an object, an element of an array, and a value as text. */

/* Past the JSON value at `p` (string, number, literal, object or array). */
static inline const char *ts_json_skip(const char *p)
{
    int depth = 0;
    do {
        if (*p == '"') {
            for (p++; *p && *p != '"'; p++) {
                if (*p == '\\' && p[1]) {
                    p++;
                }
            }
            if (*p) {
                p++;
            }
        } else if (*p == '{' || *p == '[') {
            depth++;
            p++;
        } else if (*p == '}' || *p == ']') {
            depth--;
            p++;
        } else if (depth == 0) {
            while (*p && *p != ',' && *p != '}' && *p != ']') {
                p++;
            }
        } else {
            p++;
        }
    } while (depth > 0 && *p);
    return p;
}

/* The value of `key` in the JSON object at `obj` ('{'), or NULL when absent. */
static inline const char *ts_json_find(const char *obj, const char *key)
{
    if (obj == NULL || *obj != '{') {
        return NULL;
    }
    size_t klen = strlen(key);
    const char *p = obj + 1;
    while (*p == '"') {
        const char *name = p + 1;
        const char *after = ts_json_skip(p);
        const char *value = after + 1; /* past ':' */
        if ((size_t)(after - 1 - name) == klen && strncmp(name, key, klen) == 0) {
            return value;
        }
        p = ts_json_skip(value);
        if (*p != ',') {
            break;
        }
        p++;
    }
    return NULL;
}

/* The number of elements of the JSON array at `arr` ('['). */
static inline size_t ts_json_len(const char *arr)
{
    if (arr == NULL || *arr != '[' || arr[1] == ']') {
        return 0;
    }
    size_t n = 1;
    for (const char *p = ts_json_skip(arr + 1); *p == ','; p = ts_json_skip(p + 1)) {
        n++;
    }
    return n;
}

/* The element `index` of the JSON array at `arr`, or NULL past its end. */
static inline const char *ts_json_at(const char *arr, size_t index)
{
    if (arr == NULL || *arr != '[' || index >= ts_json_len(arr)) {
        return NULL;
    }
    const char *p = arr + 1;
    for (size_t i = 0; i < index; i++) {
        p = ts_json_skip(p) + 1;
    }
    return p;
}

/* The JSON value at `p` as text, in one of a ring of static buffers (valid for the
 * next 31 calls): a string decoded, `true`, `false` or a number as written; NULL
 * for NULL, `null`, an object or an array. */
static inline const char *ts_json_text(const char *p)
{
    static char ring[32][8192];
    static unsigned next = 0;
    if (p == NULL || *p == 'n' || *p == '{' || *p == '[' || *p == '\0') {
        return NULL;
    }
    char *out = ring[next++ % 32];
    size_t n = 0, size = sizeof ring[0];
    if (*p != '"') {
        const char *end = ts_json_skip(p);
        n = (size_t)(end - p) < size - 1 ? (size_t)(end - p) : size - 1;
        memcpy(out, p, n);
        out[n] = '\0';
        return out;
    }
    for (p++; *p && *p != '"' && n + 4 < size; p++) {
        if (*p != '\\') {
            out[n++] = *p;
            continue;
        }
        p++;
        switch (*p) {
        case 'n': out[n++] = '\n'; break;
        case 't': out[n++] = '\t'; break;
        case 'r': out[n++] = '\r'; break;
        case 'b': out[n++] = '\b'; break;
        case 'f': out[n++] = '\f'; break;
        case 'u': {
            unsigned cp = (unsigned)strtoul((char[5]){p[1], p[2], p[3], p[4], 0}, NULL, 16);
            p += 4;
            if (cp < 0x80) {
                out[n++] = (char)cp;
            } else if (cp < 0x800) {
                out[n++] = (char)(0xC0 | (cp >> 6));
                out[n++] = (char)(0x80 | (cp & 0x3F));
            } else {
                out[n++] = (char)(0xE0 | (cp >> 12));
                out[n++] = (char)(0x80 | ((cp >> 6) & 0x3F));
                out[n++] = (char)(0x80 | (cp & 0x3F));
            }
            break;
        }
        default: out[n++] = *p; break;
        }
    }
    out[n] = '\0';
    return out;
}

/* The value of `key` in the JSON object `obj` as text (see ts_json_text). */
static inline const char *ts_json_get(const char *obj, const char *key)
{
    return ts_json_text(ts_json_find(obj, key));
}

/* A cb_table read through cb_table_to_json, indexed by column for cell lookups. */
typedef struct {
    char *json;
    size_t rows, ncols;
    const char *names[32];
    const char **cells[32];
} ts_table;

/* Reads `table` (NULL gives an empty ts_table); returns 0 on failure. */
static inline int ts_table_read(const cb_table *table, ts_table *t)
{
    memset(t, 0, sizeof *t);
    if (table == NULL || cb_table_to_json(table, &t->json) != CB_OK) {
        return 0;
    }
    const char *rows = ts_json_get(t->json, "rows");
    t->rows = rows ? (size_t)strtoull(rows, NULL, 10) : 0;
    const char *cols = ts_json_find(t->json, "columns");
    size_t ncols = ts_json_len(cols);
    const char *col = cols ? cols + 1 : NULL;
    for (size_t c = 0; c < ncols && c < 32; c++) {
        const char *name = ts_json_get(col, "name");
        char *copy = malloc(strlen(name ? name : "") + 1);
        const char **cells = malloc((t->rows ? t->rows : 1) * sizeof *cells);
        if (copy == NULL || cells == NULL) {
            free(copy);
            free(cells);
            return 0;
        }
        strcpy(copy, name ? name : "");
        const char *v = ts_json_find(col, "values");
        v = v ? v + 1 : v;
        for (size_t r = 0; r < t->rows && v != NULL; r++) {
            cells[r] = v;
            v = ts_json_skip(v) + 1;
        }
        t->names[c] = copy;
        t->cells[c] = cells;
        t->ncols = c + 1;
        col = ts_json_skip(col) + 1;
    }
    return 1;
}

/* The cell of `column` at `row` as text (see ts_json_text); NULL for a null cell,
 * an unknown column or a row past the end. */
static inline const char *ts_table_get(const ts_table *t, const char *column, size_t row)
{
    for (size_t c = 0; c < t->ncols; c++) {
        if (strcmp(t->names[c], column) == 0) {
            return row < t->rows ? ts_json_text(t->cells[c][row]) : NULL;
        }
    }
    return NULL;
}

static inline void ts_table_free(ts_table *t)
{
    for (size_t c = 0; c < t->ncols; c++) {
        free((void *)t->names[c]);
        free((void *)t->cells[c]);
    }
    cb_string_free(t->json);
    memset(t, 0, sizeof *t);
}

/* Prints the closing line and gives the exit status. */
static int ts_finish(void)
{
    printf("%d passed, %d failed\n", ts_passed, ts_failed);
    return ts_failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

#endif /* CB_TESTSUPPORT_H */
