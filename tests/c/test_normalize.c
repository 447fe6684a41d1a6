/*
 * Contact normalization through the C API: phones (one number as JSON or its
 * E.164, a batch over an array of strings as a table, a field split into its
 * numbers as JSON), emails, names, and
 * normalize_contacts (cb_base_call_mut) on a small base. Also NULL for each pointer
 * argument, invalid UTF-8, out-parameters untouched on failure, and inputs
 * crafted to break a parser.
 *
 * Usage: test_normalize [batch size]   (default 100000)
 */
#include "testsupport.h"

static const char BAD_UTF8[] = "8 916 \xff\xfe 45 67";
static char SENTINEL;
#define SENTINEL_PTR ((void *)&SENTINEL)

/* The call failed with `expected` and the last error's message contains `needle`. */
static void check_failed_with(cb_status status, cb_status expected, const char *needle,
                              const char *file, int line)
{
    char detail[512];
    snprintf(detail, sizeof detail, "got %s (%s), expected %s mentioning %s",
             cb_status_name(status), cb_last_error_message(), cb_status_name(expected), needle);
    ts_check(status == expected && cb_last_error_status() == expected &&
                 strstr(cb_last_error_message(), needle) != NULL,
             file, line, "failure", detail);
}
#define CHECK_FAILED(call, expected, needle)                                               \
    check_failed_with((call), (expected), (needle), __FILE__, __LINE__)
#define CHECK_NULL_ARG(call, arg) CHECK_FAILED(call, CB_NULL_PARAMETER, "argument \"" arg "\" is NULL")
#define CHECK_BAD_UTF8(call, arg) CHECK_FAILED(call, CB_INVALID_UTF8, "invalid UTF-8: argument \"" arg "\"")

/* A string the library handed over equals `expected`; it is freed. */
static void check_owned(char *text, const char *expected, const char *file, int line)
{
    char detail[1024];
    snprintf(detail, sizeof detail, "got \"%s\", expected \"%s\"", text ? text : "(null)",
             expected);
    ts_check(text != NULL && strcmp(text, expected) == 0, file, line, "owned string", detail);
    cb_string_free(text);
}
#define CHECK_OWNED(text, expected) check_owned((text), (expected), __FILE__, __LINE__)

/* ---- phones ------------------------------------------------------------------- */

/* `got` (may be NULL) equals `want` (may be NULL). */
static int same_text(const char *got, const char *want)
{
    return (got == NULL && want == NULL) || (got && want && strcmp(got, want) == 0);
}

/* Parses `input`, which must be valid, and checks what was read; NULL for
 * national/international means "not checked". */
static void check_phone(const cb_phone_normalizer *phones, const char *input, const char *e164,
                        const char *extension, const char *kind, const char *region,
                        const char *national, const char *international, const char *file,
                        int line)
{
    char *json = NULL;
    cb_status status = cb_phone_normalizer_parse(phones, input, &json);
    char detail[2048];
    snprintf(detail, sizeof detail, "%s: status %s, %s", input, cb_status_name(status),
             json ? json : "(null)");
    ts_check(status == CB_OK && same_text(ts_json_get(json, "valid"), "true") &&
                 ts_json_find(json, "problem") == NULL && ts_json_find(json, "reason") == NULL,
             file, line, "valid phone", detail);
    if (status != CB_OK) {
        return;
    }
    ts_check(same_text(ts_json_get(json, "e164"), e164) &&
                 same_text(ts_json_get(json, "extension"), extension) &&
                 same_text(ts_json_get(json, "kind"), kind) &&
                 same_text(ts_json_get(json, "region"), region) &&
                 (national == NULL || same_text(ts_json_get(json, "national"), national)) &&
                 (international == NULL ||
                  same_text(ts_json_get(json, "international"), international)),
             file, line, "phone fields", detail);
    cb_string_free(json);
    /* The fast call gives the same E.164. */
    char *fast = NULL;
    CHECK_OK(cb_phone_normalizer_e164(phones, input, &fast));
    check_owned(fast, e164, file, line);
}
#define CHECK_PHONE(phones, input, e164, ext, kind, region, national, intl)                 \
    check_phone((phones), (input), (e164), (ext), (kind), (region), (national), (intl),     \
                __FILE__, __LINE__)

/* Parses `input`, which must be invalid with `problem` and a reason containing `reason`. */
static void check_invalid_phone(const cb_phone_normalizer *phones, const char *input,
                                const char *problem, const char *reason, const char *file,
                                int line)
{
    char *json = NULL;
    cb_status status = cb_phone_normalizer_parse(phones, input, &json);
    const char *got = ts_json_get(json, "reason");
    char detail[2048];
    snprintf(detail, sizeof detail, "%s: status %s, %s", input, cb_status_name(status),
             json ? json : "(null)");
    ts_check(status == CB_OK && same_text(ts_json_get(json, "valid"), "false") &&
                 same_text(ts_json_get(json, "problem"), problem) && got != NULL &&
                 strstr(got, reason) != NULL && ts_json_find(json, "e164") == NULL &&
                 ts_json_find(json, "extension") == NULL &&
                 ts_json_find(json, "region") == NULL && ts_json_find(json, "kind") == NULL &&
                 ts_json_find(json, "country_code") == NULL,
             file, line, "invalid phone", detail);
    cb_string_free(json);
    char *fast = (char *)SENTINEL_PTR;
    CHECK_OK(cb_phone_normalizer_e164(phones, input, &fast));
    ts_check(fast == NULL, file, line, "no E.164 for an invalid number", input);
}
#define CHECK_INVALID_PHONE(phones, input, problem, reason)                                 \
    check_invalid_phone((phones), (input), (problem), (reason), __FILE__, __LINE__)

static void test_phone_examples(const cb_phone_normalizer *ru)
{
    CHECK_PHONE(ru, "8 (916) 123-45-67", "+79161234567", NULL, "mobile", "RU",
                "8 (916) 123-45-67", "+7 916 123-45-67");
    CHECK_PHONE(ru, "+7916 123 45 67", "+79161234567", NULL, "mobile", "RU", NULL, NULL);
    CHECK_PHONE(ru, "916 123 45 67", "+79161234567", NULL, "mobile", "RU", NULL, NULL);
    /* A +7 number keeps its 8 in the national format. */
    CHECK_PHONE(ru, "+7 812 123-45-67", "+78121234567", NULL, "fixed_line", "RU",
                "8 (812) 123-45-67", "+7 812 123-45-67");
    CHECK_PHONE(ru, "8-800-555-35-35", "+78005553535", NULL, "toll_free", "RU",
                "8 (800) 555-35-35", NULL);
    CHECK_PHONE(ru, "8 (812) 123-45-67 доб. 123", "+78121234567", "123", "fixed_line", "RU",
                "8 (812) 123-45-67 доб. 123", "+7 812 123-45-67 ext. 123");
    CHECK_PHONE(ru, "тел. +7 (495) 123-45-67 вн. 42", "+74951234567", "42", "fixed_line", "RU",
                NULL, NULL);
    CHECK_PHONE(ru, "+8 (916) 123-45-67", "+79161234567", NULL, "mobile", "RU", NULL, NULL);
    /* Kazakhstan shares +7. */
    CHECK_PHONE(ru, "+7 701 123 45 67", "+77011234567", NULL, "mobile", "KZ", NULL, NULL);
    /* Foreign numbers after 00, 8 10 and +. */
    CHECK_PHONE(ru, "00 49 30 12345678", "+493012345678", NULL, "fixed_line", "DE", NULL,
                "+49 30 12345678");
    CHECK_PHONE(ru, "8 10 49 30 12345678", "+493012345678", NULL, "fixed_line", "DE", NULL,
                NULL);
    CHECK_PHONE(ru, "+375 29 123-45-67", "+375291234567", NULL, "mobile", "BY", NULL, NULL);

    char *json = NULL;
    CHECK_OK(cb_phone_normalizer_parse(ru, "+7 701 123 45 67", &json));
    CHECK_STR(ts_json_get(json, "country_code"), "7");
    cb_string_free(json);
    /* The E.164 form never carries the extension; the whole JSON form. */
    CHECK_OK(cb_phone_normalizer_parse(ru, "8 (812) 123-45-67 доб. 12", &json));
    CHECK_STR(json, "{\"valid\":true,\"e164\":\"+78121234567\",\"extension\":\"12\","
                    "\"kind\":\"fixed_line\",\"region\":\"RU\",\"country_code\":7,"
                    "\"national\":\"8 (812) 123-45-67 доб. 12\","
                    "\"international\":\"+7 812 123-45-67 ext. 12\"}");
    cb_string_free(json);

    CHECK_INVALID_PHONE(ru, "8 (916) 123-45-6", "too_short",
                        "too short: 9 digits after the leading 8, a number needs 10");
    CHECK_INVALID_PHONE(ru, "", "empty", "empty");
    CHECK_INVALID_PHONE(ru, "   ", "empty", "empty");
    CHECK_INVALID_PHONE(ru, "позвонить вечером", "not_a_number", "");
    CHECK_INVALID_PHONE(ru, "8 916 123 45 67, 8 495 765 43 21 (раб.)", "several_numbers",
                        "2 numbers in one field");
    CHECK_INVALID_PHONE(ru, "8 916 123 45 678", "too_long", "too long");

    /* Another default region. */
    cb_phone_normalizer *de = NULL;
    CHECK_OK(cb_phone_normalizer_new(" de ", &de));
    CHECK_PHONE(de, "030 12345678", "+493012345678", NULL, "fixed_line", "DE", NULL, NULL);
    cb_phone_normalizer_free(de);

    cb_phone_normalizer *bad = (cb_phone_normalizer *)SENTINEL_PTR;
    CHECK_FAILED(cb_phone_normalizer_new("XX", &bad), CB_INVALID_VALUE,
                 "is not a region code with phone numbers");
    CHECK_STR(cb_last_error_field(), "region");
    CHECK(bad == (cb_phone_normalizer *)SENTINEL_PTR);
}

/* Inputs crafted to break a parser: each is read (valid or not) and nothing crashes. */
static void test_phone_hostile_inputs(const cb_phone_normalizer *ru)
{
    static const char *const inputs[] = {
        "605;phone-context=x;7tel:",
        "tel:+7-916-123-45-67;phone-context=+7;ext=12",
        ";phone-context=",
        "+",
        "++++++++",
        "0",
        "8",
        "+7",
        "+0 000",
        "00",
        "8 10",
        "доб. 123",
        "x12",
        "((((((((((()))))))))))",
        "８ ９１６ １２３ ４５ ６７",
        "٨٩١٦١٢٣٤٥٦٧",
        "+999999999999999999999999999999999999999999999999",
        "1;1;1;1;1;1;1;1;1;1;1;1;1;1;1;1",
        "\xef\xbb\xbf+7 916 123 45 67",
        "+7 916 123 45 67\xe2\x80\x8b",
        "8 916 123 45 67 ext. 99999999999999999999999999",
        "или или или",
        ", , ; / |",
    };
    size_t n = sizeof inputs / sizeof inputs[0];
    for (size_t i = 0; i < n; i++) {
        char *json = NULL;
        CHECK_OK(cb_phone_normalizer_parse(ru, inputs[i], &json));
        CHECK(same_text(ts_json_get(json, "valid"), "true") ||
              ts_json_get(json, "reason") != NULL);
        cb_string_free(json);
        char *split = NULL;
        CHECK_OK(cb_phone_normalizer_split(ru, inputs[i], &split));
        CHECK(split != NULL && split[0] == '[');
        cb_string_free(split);
    }
    /* A long input: 10 000 digits and separators. */
    size_t len = 20000;
    char *longest = malloc(len + 1);
    CHECK(longest != NULL);
    if (longest != NULL) {
        for (size_t i = 0; i < len; i++) {
            longest[i] = i % 2 ? ' ' : (char)('0' + i % 10);
        }
        longest[len] = '\0';
        char *json = NULL;
        CHECK_OK(cb_phone_normalizer_parse(ru, longest, &json));
        CHECK_STR(ts_json_get(json, "valid"), "false");
        cb_string_free(json);
        char *split = NULL;
        CHECK_OK(cb_phone_normalizer_split(ru, longest, &split));
        cb_string_free(split);
        free(longest);
    }
}

static void test_phone_split(const cb_phone_normalizer *ru)
{
    char *numbers = NULL;
    CHECK_OK(cb_phone_normalizer_split(ru, "8 916 123 45 67, 8 495 765 43 21 (раб.)", &numbers));
    CHECK(ts_json_len(numbers) == 2);
    const char *first = ts_json_at(numbers, 0), *second = ts_json_at(numbers, 1);
    CHECK_STR(ts_json_get(first, "raw"), "8 916 123 45 67");
    CHECK_STR(ts_json_get(first, "label"), NULL);
    CHECK_STR(ts_json_get(first, "e164"), "+79161234567");
    CHECK_STR(ts_json_get(first, "kind"), "mobile");
    CHECK_STR(ts_json_get(second, "raw"), "8 495 765 43 21 (раб.)");
    CHECK_STR(ts_json_get(second, "text"), "8 495 765 43 21");
    CHECK_STR(ts_json_get(second, "label"), "раб.");
    CHECK_STR(ts_json_get(second, "e164"), "+74957654321");
    CHECK_STR(ts_json_get(second, "kind"), "fixed_line");
    CHECK(ts_json_at(numbers, 2) == NULL);
    cb_string_free(numbers);

    /* The other separators, and a piece that is not a whole number. */
    CHECK_OK(cb_phone_normalizer_split(ru, "+7 916 123-45-67; 8 (812) 555-12-34 или 8 800 555 35 35",
                                       &numbers));
    CHECK(ts_json_len(numbers) == 3);
    cb_string_free(numbers);
    CHECK_OK(cb_phone_normalizer_split(ru, "8 916 123 45 67 / 123-45-67", &numbers));
    CHECK(ts_json_len(numbers) == 2);
    const char *local = ts_json_at(numbers, 1);
    CHECK_STR(ts_json_get(local, "valid"), "false");
    CHECK_STR(ts_json_get(local, "problem"), "too_short");
    cb_string_free(numbers);

    /* One number gives one element, no digits none. */
    CHECK_OK(cb_phone_normalizer_split(ru, "моб. 8 916 123 45 67", &numbers));
    CHECK(ts_json_len(numbers) == 1);
    CHECK_STR(ts_json_get(ts_json_at(numbers, 0), "label"), "моб.");
    cb_string_free(numbers);
    CHECK_OK(cb_phone_normalizer_split(ru, "нет телефона", &numbers));
    CHECK_STR(numbers, "[]");
    cb_string_free(numbers);
}

static void test_phone_errors(const cb_phone_normalizer *ru)
{
    char *json = (char *)SENTINEL_PTR;
    cb_table *batch = (cb_table *)SENTINEL_PTR;
    CHECK_NULL_ARG(cb_phone_normalizer_new(NULL, NULL), "out_normalizer");
    CHECK_BAD_UTF8(cb_phone_normalizer_new(BAD_UTF8, (cb_phone_normalizer **)&json),
                   "default_region");
    CHECK_NULL_ARG(cb_phone_normalizer_parse(NULL, "8 916 123 45 67", &json), "normalizer");
    CHECK_NULL_ARG(cb_phone_normalizer_parse(ru, NULL, &json), "input");
    CHECK_NULL_ARG(cb_phone_normalizer_parse(ru, "8 916 123 45 67", NULL), "out_json");
    CHECK_BAD_UTF8(cb_phone_normalizer_parse(ru, BAD_UTF8, &json), "input");
    CHECK_NULL_ARG(cb_phone_normalizer_e164(NULL, "8 916 123 45 67", &json), "normalizer");
    CHECK_NULL_ARG(cb_phone_normalizer_e164(ru, NULL, &json), "input");
    CHECK_NULL_ARG(cb_phone_normalizer_e164(ru, "8 916 123 45 67", NULL), "out_e164");
    CHECK_BAD_UTF8(cb_phone_normalizer_e164(ru, BAD_UTF8, &json), "input");
    CHECK(json == (char *)SENTINEL_PTR);

    const char *inputs[] = {"8 916 123 45 67"};
    CHECK_NULL_ARG(cb_phone_normalizer_parse_batch(NULL, inputs, 1, &batch), "normalizer");
    CHECK_NULL_ARG(cb_phone_normalizer_parse_batch(ru, NULL, 1, &batch), "inputs");
    CHECK_NULL_ARG(cb_phone_normalizer_parse_batch(ru, inputs, 1, NULL), "out_table");
    CHECK_NULL_ARG(cb_phone_normalizer_split(NULL, "1", &json), "normalizer");
    CHECK_NULL_ARG(cb_phone_normalizer_split(ru, NULL, &json), "field");
    CHECK_NULL_ARG(cb_phone_normalizer_split(ru, "1", NULL), "out_json");
    CHECK_BAD_UTF8(cb_phone_normalizer_split(ru, BAD_UTF8, &json), "field");
    CHECK(batch == (cb_table *)SENTINEL_PTR && json == (char *)SENTINEL_PTR);

    /* An empty batch may come from a NULL array: a table of no rows with the columns. */
    CHECK_OK(cb_phone_normalizer_parse_batch(ru, NULL, 0, &batch));
    CHECK(batch != NULL && batch != (cb_table *)SENTINEL_PTR);
    CHECK(cb_table_rows(batch) == 0);
    ts_table t;
    CHECK(ts_table_read(batch, &t));
    CHECK(t.rows == 0 && t.ncols == 8);
    CHECK(t.ncols == 8 && strcmp(t.names[0], "input") == 0 && strcmp(t.names[1], "e164") == 0 &&
          strcmp(t.names[7], "reason") == 0);
    CHECK(ts_table_get(&t, "e164", 0) == NULL);
    ts_table_free(&t);
    cb_table_free(batch);

    /* Frees ignore NULL. */
    cb_table_free(NULL);
    cb_phone_normalizer_free(NULL);
}

/* A batch with NULL and non-UTF-8 elements: those rows are invalid, the others read. */
static void test_phone_batch_bad_elements(const cb_phone_normalizer *ru)
{
    const char *inputs[] = {"8 (916) 123-45-67", NULL, BAD_UTF8, "", "+7 812 123-45-67 доб. 5"};
    cb_table *batch = NULL;
    CHECK_OK(cb_phone_normalizer_parse_batch(ru, inputs, 5, &batch));
    CHECK(cb_table_rows(batch) == 5);
    ts_table t;
    CHECK(ts_table_read(batch, &t));
    CHECK_STR(ts_table_get(&t, "e164", 0), "+79161234567");
    CHECK_STR(ts_table_get(&t, "input", 0), "8 (916) 123-45-67");
    CHECK_STR(ts_table_get(&t, "valid", 0), "true");
    CHECK_STR(ts_table_get(&t, "kind", 0), "mobile");
    CHECK_STR(ts_table_get(&t, "region", 0), "RU");
    CHECK_STR(ts_table_get(&t, "problem", 0), NULL);
    CHECK_STR(ts_table_get(&t, "problem", 1), "missing");
    CHECK_STR(ts_table_get(&t, "reason", 1), "missing value (null)");
    CHECK_STR(ts_table_get(&t, "valid", 1), "false");
    CHECK_STR(ts_table_get(&t, "input", 1), NULL);
    CHECK_STR(ts_table_get(&t, "problem", 2), "not_text");
    CHECK(ts_table_get(&t, "reason", 2) != NULL &&
          strstr(ts_table_get(&t, "reason", 2), "invalid UTF-8: argument \"inputs[2]\"") != NULL);
    CHECK_STR(ts_table_get(&t, "e164", 2), NULL);
    CHECK_STR(ts_table_get(&t, "input", 2), NULL);
    CHECK_STR(ts_table_get(&t, "problem", 3), "empty");
    CHECK_STR(ts_table_get(&t, "extension", 4), "5");
    ts_table_free(&t);

    /* The same table through Arrow: a struct array of the same 8 columns and 5 rows. */
    struct ArrowArray array;
    struct ArrowSchema schema;
    CHECK_OK(cb_table_export_arrow(batch, &array, &schema));
    CHECK(array.length == 5 && array.n_children == 8 && schema.n_children == 8);
    CHECK_STR(schema.children[1]->name, "e164");
    array.release(&array);
    schema.release(&schema);
    cb_table_free(batch);
}

/* A large batch of generated numbers, checked against what they were made from and
 * against single parses. */
static void test_phone_big_batch(const cb_phone_normalizer *ru, size_t n)
{
    static const char *const shapes[] = {
        "8 (9%02u) %03u-%02u-%02u", "+7 9%02u %03u %02u %02u", "89%02u%03u%02u%02u",
        "тел. 8-9%02u-%03u-%02u-%02u", "9%02u %03u %02u %02u (моб.)",
    };
    char **inputs = calloc(n, sizeof *inputs);
    char **expected = calloc(n, sizeof *expected);
    CHECK(inputs != NULL && expected != NULL);
    if (inputs == NULL || expected == NULL) {
        free(inputs);
        free(expected);
        return;
    }
    uint32_t seed = 20240611u;
    for (size_t i = 0; i < n; i++) {
        inputs[i] = malloc(64);
        expected[i] = malloc(16);
        if (inputs[i] == NULL || expected[i] == NULL) {
            continue;
        }
        seed = seed * 1664525u + 1013904223u;
        unsigned a = (seed >> 8) % 100, b = (seed >> 3) % 1000, c = (seed >> 13) % 100,
                 d = (seed >> 20) % 100;
        if (i % 10 == 9) {
            /* Every tenth number is a digit short: invalid. */
            snprintf(inputs[i], 64, "8 (9%02u) %03u-%02u-%u", a, b, c, d % 10);
            expected[i][0] = '\0';
        } else {
            snprintf(inputs[i], 64, shapes[i % 5], a, b, c, d);
            snprintf(expected[i], 16, "+79%02u%03u%02u%02u", a, b, c, d);
        }
    }
    cb_table *batch = NULL;
    CHECK_OK(cb_phone_normalizer_parse_batch(ru, (const char *const *)inputs, n, &batch));
    CHECK(cb_table_rows(batch) == n);
    ts_table t;
    int read = ts_table_read(batch, &t);
    CHECK(read && t.rows == n);
    size_t wrong = 0, valid = 0;
    for (size_t i = 0; i < n && read; i++) {
        const char *e164 = ts_table_get(&t, "e164", i);
        const char *problem = ts_table_get(&t, "problem", i);
        const char *kind = ts_table_get(&t, "kind", i);
        int ok = expected[i][0] == '\0'
                     ? e164 == NULL && same_text(problem, "too_short")
                     : e164 != NULL && strcmp(e164, expected[i]) == 0 &&
                           same_text(kind, "mobile");
        valid += e164 != NULL;
        if (!ok && wrong++ < 5) {
            const char *reason = ts_table_get(&t, "reason", i);
            fprintf(stderr, "batch row %zu: %s gave %s (%s)\n", i, inputs[i],
                    e164 ? e164 : "(null)", reason ? reason : "");
        }
        /* The batch gives what a single parse gives. */
        if (i % 997 == 0) {
            char *single = NULL;
            CHECK_OK(cb_phone_normalizer_parse(ru, inputs[i], &single));
            CHECK_STR(ts_json_get(single, "e164"), e164);
            CHECK_STR(ts_json_get(single, "reason"), ts_table_get(&t, "reason", i));
            cb_string_free(single);
        }
    }
    CHECK(wrong == 0);
    CHECK(valid == n - n / 10);
    printf("phone batch: %zu numbers, %zu valid\n", n, valid);
    if (read) {
        ts_table_free(&t);
    }
    cb_table_free(batch);
    for (size_t i = 0; i < n; i++) {
        free(inputs[i]);
        free(expected[i]);
    }
    free(inputs);
    free(expected);
}

/* ---- emails ------------------------------------------------------------------- */

static void test_emails(void)
{
    cb_email_normalizer *plain = NULL, *rules = NULL;
    CHECK_OK(cb_email_normalizer_new(false, &plain));
    CHECK_OK(cb_email_normalizer_new(true, &rules));
    char *email = NULL;

    CHECK_OK(cb_email_normalizer_parse(plain, "  Anna.Petrova@Mail.RU ", &email));
    CHECK_STR(email, "{\"valid\":true,\"address\":\"Anna.Petrova@mail.ru\","
                     "\"local\":\"Anna.Petrova\",\"domain\":\"mail.ru\","
                     "\"key\":\"anna.petrova@mail.ru\",\"suggestion\":null}");
    CHECK(ts_json_find(email, "problem") == NULL && ts_json_find(email, "reason") == NULL);
    cb_string_free(email);

    /* A typo is suggested, never applied. */
    CHECK_OK(cb_email_normalizer_parse(plain, "ivan@gmial.com", &email));
    CHECK_STR(ts_json_get(email, "valid"), "true");
    CHECK_STR(ts_json_get(email, "address"), "ivan@gmial.com");
    CHECK_STR(ts_json_get(email, "suggestion"), "ivan@gmail.com");
    cb_string_free(email);

    /* An internationalized domain is written in ASCII. */
    CHECK_OK(cb_email_normalizer_parse(plain, "info@Почта.рф", &email));
    CHECK_STR(ts_json_get(email, "address"), "info@xn--80a1acny.xn--p1ai");
    CHECK_STR(ts_json_get(email, "domain"), "xn--80a1acny.xn--p1ai");
    cb_string_free(email);

    /* Gmail dots and +tags only with provider rules. */
    CHECK_OK(cb_email_normalizer_parse(rules, "Ivan.Petrov+shop@googlemail.com", &email));
    CHECK_STR(ts_json_get(email, "key"), "ivanpetrov@gmail.com");
    CHECK_STR(ts_json_get(email, "address"), "Ivan.Petrov+shop@googlemail.com");
    cb_string_free(email);
    CHECK_OK(cb_email_normalizer_parse(plain, "Ivan.Petrov+shop@googlemail.com", &email));
    CHECK_STR(ts_json_get(email, "key"), "ivan.petrov+shop@googlemail.com");
    cb_string_free(email);

    /* Invalid addresses are results with a reason. */
    CHECK_OK(cb_email_normalizer_parse(plain, "ivan.petrov.mail.ru", &email));
    CHECK_STR(email, "{\"valid\":false,\"problem\":\"at\",\"reason\":\"no @\","
                     "\"suggestion\":null}");
    CHECK(ts_json_find(email, "address") == NULL && ts_json_find(email, "key") == NULL &&
          ts_json_find(email, "domain") == NULL);
    cb_string_free(email);
    CHECK_OK(cb_email_normalizer_parse(plain, "ivan@mail,ru", &email));
    CHECK_STR(ts_json_get(email, "problem"), "domain");
    CHECK(ts_json_get(email, "reason") != NULL);
    CHECK_STR(ts_json_get(email, "suggestion"), "ivan@mail.ru");
    cb_string_free(email);
    CHECK_OK(cb_email_normalizer_parse(plain, "", &email));
    CHECK_STR(ts_json_get(email, "problem"), "empty");
    cb_string_free(email);

    /* A batch, with a NULL and a non-UTF-8 element. */
    const char *inputs[] = {"a@b.ru", NULL, BAD_UTF8, "anna@gmial.com", "@mail.ru"};
    cb_table *batch = NULL;
    CHECK_OK(cb_email_normalizer_parse_batch(plain, inputs, 5, &batch));
    CHECK(cb_table_rows(batch) == 5);
    ts_table t;
    CHECK(ts_table_read(batch, &t));
    CHECK_STR(ts_table_get(&t, "address", 0), "a@b.ru");
    CHECK_STR(ts_table_get(&t, "key", 0), "a@b.ru");
    CHECK_STR(ts_table_get(&t, "domain", 0), "b.ru");
    CHECK_STR(ts_table_get(&t, "valid", 0), "true");
    CHECK_STR(ts_table_get(&t, "problem", 1), "missing");
    CHECK_STR(ts_table_get(&t, "reason", 1), "missing value (null)");
    CHECK_STR(ts_table_get(&t, "problem", 2), "not_text");
    CHECK(ts_table_get(&t, "reason", 2) != NULL &&
          strstr(ts_table_get(&t, "reason", 2), "invalid UTF-8: argument \"inputs[2]\"") != NULL);
    CHECK_STR(ts_table_get(&t, "suggestion", 3), "anna@gmail.com");
    CHECK_STR(ts_table_get(&t, "problem", 4), "local_part");
    CHECK_STR(ts_table_get(&t, "valid", 4), "false");
    CHECK(ts_table_get(&t, "address", 5) == NULL);
    ts_table_free(&t);
    cb_table_free(batch);

    /* NULLs, bad UTF-8, untouched out-parameters. */
    email = (char *)SENTINEL_PTR;
    batch = (cb_table *)SENTINEL_PTR;
    CHECK_NULL_ARG(cb_email_normalizer_new(true, NULL), "out_normalizer");
    CHECK_NULL_ARG(cb_email_normalizer_parse(NULL, "a@b.ru", &email), "normalizer");
    CHECK_NULL_ARG(cb_email_normalizer_parse(plain, NULL, &email), "input");
    CHECK_NULL_ARG(cb_email_normalizer_parse(plain, "a@b.ru", NULL), "out_json");
    CHECK_BAD_UTF8(cb_email_normalizer_parse(plain, BAD_UTF8, &email), "input");
    CHECK_NULL_ARG(cb_email_normalizer_parse_batch(NULL, inputs, 1, &batch), "normalizer");
    CHECK_NULL_ARG(cb_email_normalizer_parse_batch(plain, NULL, 1, &batch), "inputs");
    CHECK_NULL_ARG(cb_email_normalizer_parse_batch(plain, inputs, 1, NULL), "out_table");
    CHECK(email == (char *)SENTINEL_PTR && batch == (cb_table *)SENTINEL_PTR);
    CHECK_OK(cb_email_normalizer_parse_batch(plain, NULL, 0, &batch));
    CHECK(cb_table_rows(batch) == 0);
    cb_table_free(batch);
    cb_email_normalizer_free(NULL);

    cb_email_normalizer_free(plain);
    cb_email_normalizer_free(rules);
}

/* ---- names -------------------------------------------------------------------- */

static void check_name(const char *full, const char *surname, const char *given,
                       const char *patronymic, const char *gender, const char *initials,
                       const char *file, int line)
{
    char *json = NULL;
    cb_status status = cb_person_name_parse(full, &json);
    char detail[1024];
    snprintf(detail, sizeof detail, "%s: %s", full, json ? json : "(null)");
    ts_check(status == CB_OK && same_text(ts_json_get(json, "surname"), surname) &&
                 same_text(ts_json_get(json, "given"), given) &&
                 same_text(ts_json_get(json, "patronymic"), patronymic) &&
                 same_text(ts_json_get(json, "gender"), gender) &&
                 same_text(ts_json_get(json, "initials"), initials),
             file, line, "name", detail);
    cb_string_free(json);
}
#define CHECK_NAME(full, s, g, p, gender, initials)                                         \
    check_name((full), (s), (g), (p), (gender), (initials), __FILE__, __LINE__)

/* The key of the whole name `full`, as a string the caller frees with free(). */
static char *whole_name_key(const char *full)
{
    char *json = NULL;
    if (cb_person_name_parse(full, &json) != CB_OK) {
        return NULL;
    }
    const char *key = ts_json_get(json, "key");
    char *copy = key ? malloc(strlen(key) + 1) : NULL;
    if (copy != NULL) {
        strcpy(copy, key);
    }
    cb_string_free(json);
    return copy;
}

static void test_names(void)
{
    CHECK_NAME("Иванов Сергей Петрович", "Иванов", "Сергей", "Петрович", "male",
               "Иванов С. П.");
    CHECK_NAME("  сергей  петрович ИВАНОВ ", "Иванов", "Сергей", "Петрович", "male",
               "Иванов С. П.");
    CHECK_NAME("Анна Ивановна Петрова", "Петрова", "Анна", "Ивановна", "female",
               "Петрова А. И.");
    CHECK_NAME("Сергей Иванов", "Иванов", "Сергей", NULL, NULL, "Иванов С.");
    CHECK_NAME("рашид гусейн оглы алиев", "Алиев", "Рашид", "Гусейн оглы", "male",
               "Алиев Р. Г.");
    CHECK_NAME("", NULL, NULL, NULL, NULL, "");
    char *json = NULL;
    CHECK_OK(cb_person_name_parse("", &json));
    CHECK_STR(json, "{\"surname\":null,\"given\":null,\"patronymic\":null,\"gender\":null,"
                    "\"initials\":\"\",\"key\":\"\"}");
    cb_string_free(json);

    char *a = whole_name_key("Ivanov Sergey");
    char *b = whole_name_key("Иванов Сергей");
    char *c = whole_name_key("Сергей Иванов");
    CHECK(a != NULL && b != NULL && c != NULL);
    CHECK_STR(a, b);
    CHECK_STR(b, c);
    free(a);
    free(b);
    free(c);

    /* A batch: one row per name, a NULL element a row of nulls. */
    const char *names[] = {"Анна Ивановна Петрова", NULL, "Ivanov Sergey"};
    cb_table *batch = NULL;
    CHECK_OK(cb_person_name_parse_batch(names, 3, &batch));
    ts_table t;
    CHECK(ts_table_read(batch, &t));
    CHECK(t.rows == 3);
    CHECK_STR(ts_table_get(&t, "surname", 0), "Петрова");
    CHECK_STR(ts_table_get(&t, "gender", 0), "female");
    CHECK_STR(ts_table_get(&t, "initials", 0), "Петрова А. И.");
    CHECK_STR(ts_table_get(&t, "key", 1), NULL);
    CHECK_STR(ts_table_get(&t, "input", 1), NULL);
    CHECK_STR(ts_table_get(&t, "surname", 2), "Ivanov");
    ts_table_free(&t);
    cb_table_free(batch);

    char *text = NULL;
    CHECK_OK(cb_name_key("Sergei", &text));
    CHECK_OWNED(text, "sergei");
    CHECK_OK(cb_name_key("Сергей", &text));
    CHECK_OWNED(text, "sergei");
    CHECK_OK(cb_name_key("Семёнов", &text));
    char *semenov = NULL;
    CHECK_OK(cb_name_key("Семенов", &semenov));
    CHECK_STR(text, semenov);
    cb_string_free(text);
    cb_string_free(semenov);
    CHECK_OK(cb_name_transliterate("Иванов Сергей", &text));
    CHECK_OWNED(text, "Ivanov Sergei");
    CHECK_OK(cb_name_clean("  иванова-петрова   АННА ", &text));
    CHECK_OWNED(text, "Иванова-Петрова Анна");

    json = (char *)SENTINEL_PTR;
    text = (char *)SENTINEL_PTR;
    batch = (cb_table *)SENTINEL_PTR;
    const char *bad[] = {"Иванов", BAD_UTF8};
    CHECK_NULL_ARG(cb_person_name_parse(NULL, &json), "full_name");
    CHECK_NULL_ARG(cb_person_name_parse("Иванов", NULL), "out_json");
    CHECK_BAD_UTF8(cb_person_name_parse(BAD_UTF8, &json), "full_name");
    CHECK_NULL_ARG(cb_person_name_parse_batch(NULL, 1, &batch), "inputs");
    CHECK_NULL_ARG(cb_person_name_parse_batch(bad, 1, NULL), "out_table");
    CHECK_BAD_UTF8(cb_person_name_parse_batch(bad, 2, &batch), "inputs[1]");
    CHECK_NULL_ARG(cb_name_key(NULL, &text), "text");
    CHECK_NULL_ARG(cb_name_key("x", NULL), "out_key");
    CHECK_BAD_UTF8(cb_name_key(BAD_UTF8, &text), "text");
    CHECK_NULL_ARG(cb_name_transliterate(NULL, &text), "text");
    CHECK_NULL_ARG(cb_name_transliterate("x", NULL), "out_text");
    CHECK_BAD_UTF8(cb_name_transliterate(BAD_UTF8, &text), "text");
    CHECK_NULL_ARG(cb_name_clean(NULL, &text), "text");
    CHECK_NULL_ARG(cb_name_clean("x", NULL), "out_text");
    CHECK_BAD_UTF8(cb_name_clean(BAD_UTF8, &text), "text");
    CHECK(json == (char *)SENTINEL_PTR && text == (char *)SENTINEL_PTR &&
          batch == (cb_table *)SENTINEL_PTR);
}

/* ---- a whole base ------------------------------------------------------------- */

static void test_normalize_contacts(void)
{
    cb_base *base = NULL;
    CHECK_OK(cb_base_new(NULL, &base));
    CHECK_OK(cb_base_freeze_clock(base, 1735689600));
    uint64_t ivanov = 0, petrova = 0;
    CHECK_OK(cb_base_add_json(
        base, "client", "{\"kind\":\"person\",\"surname\":\"Иванов\",\"given\":\"Сергей\",\"phones\":[{\"raw\":"
              "\"8 916 123 45 67, 8 495 765 43 21 (раб.)\"}],\"emails\":[{\"raw\":\"Sergey@Mail.RU\"}]}",
        &ivanov));
    CHECK_OK(cb_base_add_json(
        base, "client", "{\"kind\":\"person\",\"surname\":\"Петрова\",\"given\":\"Анна\",\"phones\":[{\"raw\":"
              "\"тел. 123-45-67\"},{\"raw\":\"+7 (812) 555-12-34 доб. 12\"}],\"emails\":[{\"raw\":"
              "\"anna@gmial.com\"},{\"raw\":\"anna(at)mail.ru\"}]}",
        &petrova));

    char *report = (char *)SENTINEL_PTR;
    CHECK_NULL_ARG(cb_base_call_mut(NULL, "normalize_contacts", NULL, &report), "base");
    CHECK_NULL_ARG(cb_base_call_mut(base, "normalize_contacts", NULL, NULL), "out_json");
    CHECK_STATUS(cb_base_call_mut(base, "normalize_contacts", "{\"phone_regoin\":\"RU\"}", &report), CB_JSON);
    CHECK(strstr(cb_last_error_message(), "unknown field `phone_regoin`") != NULL);
    CHECK_STATUS(cb_base_call_mut(base, "normalize_contacts", "{\"phone_region\":\"XX\"}", &report),
                 CB_INVALID_VALUE);
    CHECK_STR(cb_last_error_field(), "phone_region");
    CHECK(report == (char *)SENTINEL_PTR);

    /* The whole report: 2 clients looked at and changed, 5 contact points
     * changed, Ivanov's two numbers split, Petrova's short local number and
     * email without @ invalid, a typo offered for gmial.com. */
    CHECK_OK(cb_base_call_mut(base, "normalize_contacts", NULL, &report));
    char expected[2048];
    snprintf(expected, sizeof expected,
             "{\"changed\":5,\"clients\":2,\"clients_changed\":2,"
             "\"invalid\":[{\"client\":%" PRIu64 ",\"field\":\"phones[0]\",\"raw\":\"тел. 123-45-67\","
             "\"reason\":\"too short: 7 digits is a local number without its area code\"},"
             "{\"client\":%" PRIu64 ",\"field\":\"emails[1]\",\"raw\":\"anna(at)mail.ru\",\"reason\":\"no @\"}],"
             "\"rejected\":[],"
             "\"split\":[{\"client\":%" PRIu64 ",\"field\":\"phones[0]\",\"into\":2,"
             "\"original\":\"8 916 123 45 67, 8 495 765 43 21 (раб.)\"}],"
             "\"suggestions\":[{\"client\":%" PRIu64 ",\"field\":\"emails[0]\",\"raw\":\"anna@gmial.com\","
             "\"suggestion\":\"anna@gmail.com\"}]}",
             petrova, petrova, ivanov, petrova);
    CHECK_STR(report, expected);
    cb_string_free(report);

    /* The split phones are stored with their pieces as typed. */
    char *json = NULL;
    CHECK_OK(cb_base_record_json(base, "client", ivanov, &json));
    CHECK(json != NULL && strstr(json, "\"raw\":\"8 495 765 43 21 (раб.)\"") != NULL &&
          strstr(json, "\"e164\":\"+74957654321\"") != NULL &&
          strstr(json, "\"label\":\"раб.\"") != NULL &&
          strstr(json, "\"normalized\":\"Sergey@mail.ru\"") != NULL);
    cb_string_free(json);

    /* Normalizing again changes nothing; explicit params are used. */
    CHECK_OK(cb_base_call_mut(
        base, "normalize_contacts", "{\"phone_region\":\"RU\",\"email_provider_rules\":true}", &report));
    const char *unchanged = "{\"changed\":0,\"clients\":2,\"clients_changed\":0,";
    CHECK(strncmp(report, unchanged, strlen(unchanged)) == 0);
    CHECK(strstr(report, "\"split\":[]") != NULL);
    CHECK(strstr(report, "\"field\":\"phones[0]\"") != NULL &&
          strstr(report, "\"field\":\"emails[1]\"") != NULL);
    cb_string_free(report);
    cb_base_free(base);
}

int main(int argc, char **argv)
{
    size_t batch = 100000;
    if (argc > 1) {
        batch = (size_t)strtoull(argv[1], NULL, 10);
    }
    cb_phone_normalizer *ru = NULL;
    CHECK_OK(cb_phone_normalizer_new(NULL, &ru));
    test_phone_examples(ru);
    test_phone_hostile_inputs(ru);
    test_phone_split(ru);
    test_phone_errors(ru);
    test_phone_batch_bad_elements(ru);
    test_phone_big_batch(ru, batch);
    cb_phone_normalizer_free(ru);
    test_emails();
    test_names();
    test_normalize_contacts();
    return ts_finish();
}
