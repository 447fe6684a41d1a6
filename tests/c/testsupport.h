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

/* Prints the closing line and gives the exit status. */
static int ts_finish(void)
{
    printf("%d passed, %d failed\n", ts_passed, ts_failed);
    return ts_failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

#endif /* CB_TESTSUPPORT_H */
