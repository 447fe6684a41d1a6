/*
 * Contact normalization through the C API: phones (one number, a batch over an
 * array of strings, a field split into its numbers), emails, names, and
 * cb_base_normalize_contacts on a small base. Also NULL for each pointer
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

/* Parses `input`, which must be valid, and checks what was read; NULL means "not checked". */
static void check_phone(const cb_phone_normalizer *phones, const char *input, const char *e164,
                        const char *extension, cb_phone_kind kind, const char *region,
                        const char *national, const char *international, const char *file,
                        int line)
{
    cb_parsed_phone *phone = NULL;
    cb_status status = cb_phone_normalizer_parse(phones, input, &phone);
    char detail[1024];
    snprintf(detail, sizeof detail, "%s: status %s, valid %d, reason %s", input,
             cb_status_name(status), cb_parsed_phone_is_valid(phone),
             cb_parsed_phone_reason(phone) ? cb_parsed_phone_reason(phone) : "(none)");
    ts_check(status == CB_OK && cb_parsed_phone_is_valid(phone) &&
                 cb_parsed_phone_problem(phone) == CB_PHONE_PROBLEM_NONE &&
                 cb_parsed_phone_reason(phone) == NULL,
             file, line, "valid phone", detail);
    if (status != CB_OK) {
        return;
    }
    ts_check(strcmp(cb_parsed_phone_raw(phone), input) == 0, file, line, "raw is the input",
             input);
    const char *got_e164 = cb_parsed_phone_e164(phone);
    const char *got_ext = cb_parsed_phone_extension(phone);
    const char *got_region = cb_parsed_phone_region(phone);
    snprintf(detail, sizeof detail, "%s: e164 %s, extension %s, kind %s, region %s", input,
             got_e164 ? got_e164 : "(null)", got_ext ? got_ext : "(null)",
             cb_phone_kind_name(cb_parsed_phone_kind(phone))
                 ? cb_phone_kind_name(cb_parsed_phone_kind(phone))
                 : "(null)",
             got_region ? got_region : "(null)");
    ts_check(got_e164 != NULL && strcmp(got_e164, e164) == 0 &&
                 ((extension == NULL && got_ext == NULL) ||
                  (extension != NULL && got_ext != NULL && strcmp(got_ext, extension) == 0)) &&
                 cb_parsed_phone_kind(phone) == kind && got_region != NULL &&
                 strcmp(got_region, region) == 0,
             file, line, "phone fields", detail);
    char *text = NULL;
    if (national != NULL) {
        CHECK_OK(cb_parsed_phone_format(phone, CB_PHONE_FORMAT_NATIONAL, &text));
        check_owned(text, national, file, line);
    }
    if (international != NULL) {
        CHECK_OK(cb_parsed_phone_format(phone, CB_PHONE_FORMAT_INTERNATIONAL, &text));
        check_owned(text, international, file, line);
    }
    CHECK_OK(cb_parsed_phone_format(phone, CB_PHONE_FORMAT_E164, &text));
    check_owned(text, e164, file, line);
    cb_parsed_phone_free(phone);
}
#define CHECK_PHONE(phones, input, e164, ext, kind, region, national, intl)                 \
    check_phone((phones), (input), (e164), (ext), (kind), (region), (national), (intl),     \
                __FILE__, __LINE__)

/* Parses `input`, which must be invalid with `problem` and a reason containing `reason`. */
static void check_invalid_phone(const cb_phone_normalizer *phones, const char *input,
                                cb_phone_problem problem, const char *reason, const char *file,
                                int line)
{
    cb_parsed_phone *phone = NULL;
    cb_status status = cb_phone_normalizer_parse(phones, input, &phone);
    const char *got = cb_parsed_phone_reason(phone);
    char detail[1024];
    snprintf(detail, sizeof detail, "%s: status %s, problem %s, reason %s", input,
             cb_status_name(status),
             cb_phone_problem_name(cb_parsed_phone_problem(phone))
                 ? cb_phone_problem_name(cb_parsed_phone_problem(phone))
                 : "(none)",
             got ? got : "(null)");
    ts_check(status == CB_OK && !cb_parsed_phone_is_valid(phone) &&
                 cb_parsed_phone_problem(phone) == problem && got != NULL &&
                 strstr(got, reason) != NULL && cb_parsed_phone_e164(phone) == NULL &&
                 cb_parsed_phone_extension(phone) == NULL &&
                 cb_parsed_phone_region(phone) == NULL &&
                 cb_parsed_phone_kind(phone) == CB_PHONE_KIND_NONE &&
                 cb_parsed_phone_country_code(phone) == 0,
             file, line, "invalid phone", detail);
    cb_parsed_phone_free(phone);
}
#define CHECK_INVALID_PHONE(phones, input, problem, reason)                                 \
    check_invalid_phone((phones), (input), (problem), (reason), __FILE__, __LINE__)

static void test_phone_examples(const cb_phone_normalizer *ru)
{
    CHECK_PHONE(ru, "8 (916) 123-45-67", "+79161234567", NULL, CB_PHONE_KIND_MOBILE, "RU",
                "8 (916) 123-45-67", "+7 916 123-45-67");
    CHECK_PHONE(ru, "+7916 123 45 67", "+79161234567", NULL, CB_PHONE_KIND_MOBILE, "RU", NULL,
                NULL);
    CHECK_PHONE(ru, "916 123 45 67", "+79161234567", NULL, CB_PHONE_KIND_MOBILE, "RU", NULL,
                NULL);
    /* A +7 number keeps its 8 in the national format. */
    CHECK_PHONE(ru, "+7 812 123-45-67", "+78121234567", NULL, CB_PHONE_KIND_FIXED_LINE, "RU",
                "8 (812) 123-45-67", "+7 812 123-45-67");
    CHECK_PHONE(ru, "8-800-555-35-35", "+78005553535", NULL, CB_PHONE_KIND_TOLL_FREE, "RU",
                "8 (800) 555-35-35", NULL);
    CHECK_PHONE(ru, "8 (812) 123-45-67 доб. 123", "+78121234567", "123",
                CB_PHONE_KIND_FIXED_LINE, "RU", "8 (812) 123-45-67 доб. 123",
                "+7 812 123-45-67 ext. 123");
    CHECK_PHONE(ru, "тел. +7 (495) 123-45-67 вн. 42", "+74951234567", "42",
                CB_PHONE_KIND_FIXED_LINE, "RU", NULL, NULL);
    CHECK_PHONE(ru, "+8 (916) 123-45-67", "+79161234567", NULL, CB_PHONE_KIND_MOBILE, "RU",
                NULL, NULL);
    /* Kazakhstan shares +7. */
    CHECK_PHONE(ru, "+7 701 123 45 67", "+77011234567", NULL, CB_PHONE_KIND_MOBILE, "KZ", NULL,
                NULL);
    /* Foreign numbers after 00, 8 10 and +. */
    CHECK_PHONE(ru, "00 49 30 12345678", "+493012345678", NULL, CB_PHONE_KIND_FIXED_LINE, "DE",
                NULL, "+49 30 12345678");
    CHECK_PHONE(ru, "8 10 49 30 12345678", "+493012345678", NULL, CB_PHONE_KIND_FIXED_LINE,
                "DE", NULL, NULL);
    CHECK_PHONE(ru, "+375 29 123-45-67", "+375291234567", NULL, CB_PHONE_KIND_MOBILE, "BY",
                NULL, NULL);

    cb_parsed_phone *phone = NULL;
    CHECK_OK(cb_phone_normalizer_parse(ru, "+7 701 123 45 67", &phone));
    CHECK(cb_parsed_phone_country_code(phone) == 7);
    cb_parsed_phone_free(phone);

    CHECK_INVALID_PHONE(ru, "8 (916) 123-45-6", CB_PHONE_PROBLEM_TOO_SHORT,
                        "too short: 9 digits after the leading 8, a number needs 10");
    CHECK_INVALID_PHONE(ru, "", CB_PHONE_PROBLEM_EMPTY, "empty");
    CHECK_INVALID_PHONE(ru, "   ", CB_PHONE_PROBLEM_EMPTY, "empty");
    CHECK_INVALID_PHONE(ru, "позвонить вечером", CB_PHONE_PROBLEM_NOT_A_NUMBER, "");
    CHECK_INVALID_PHONE(ru, "8 916 123 45 67, 8 495 765 43 21 (раб.)",
                        CB_PHONE_PROBLEM_SEVERAL_NUMBERS, "2 numbers in one field");
    CHECK_INVALID_PHONE(ru, "8 916 123 45 678", CB_PHONE_PROBLEM_TOO_LONG, "too long");

    /* Another default region. */
    cb_phone_normalizer *de = NULL;
    CHECK_OK(cb_phone_normalizer_new(" de ", &de));
    CHECK_PHONE(de, "030 12345678", "+493012345678", NULL, CB_PHONE_KIND_FIXED_LINE, "DE", NULL,
                NULL);
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
        cb_parsed_phone *phone = NULL;
        CHECK_OK(cb_phone_normalizer_parse(ru, inputs[i], &phone));
        CHECK(cb_parsed_phone_is_valid(phone) || cb_parsed_phone_reason(phone) != NULL);
        cb_parsed_phone_free(phone);
        cb_phone_batch *split = NULL;
        CHECK_OK(cb_phone_normalizer_split(ru, inputs[i], &split));
        cb_phone_batch_free(split);
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
        cb_parsed_phone *phone = NULL;
        CHECK_OK(cb_phone_normalizer_parse(ru, longest, &phone));
        CHECK(!cb_parsed_phone_is_valid(phone));
        cb_parsed_phone_free(phone);
        cb_phone_batch *split = NULL;
        CHECK_OK(cb_phone_normalizer_split(ru, longest, &split));
        cb_phone_batch_free(split);
        free(longest);
    }
}

static void test_phone_split(const cb_phone_normalizer *ru)
{
    cb_phone_batch *numbers = NULL;
    CHECK_OK(cb_phone_normalizer_split(ru, "8 916 123 45 67, 8 495 765 43 21 (раб.)", &numbers));
    CHECK(cb_phone_batch_len(numbers) == 2);
    const cb_parsed_phone *first = NULL, *second = NULL;
    CHECK_OK(cb_phone_batch_get(numbers, 0, &first));
    CHECK_OK(cb_phone_batch_get(numbers, 1, &second));
    CHECK_STR(cb_parsed_phone_raw(first), "8 916 123 45 67");
    CHECK_STR(cb_parsed_phone_label(first), NULL);
    CHECK_STR(cb_parsed_phone_e164(first), "+79161234567");
    CHECK(cb_parsed_phone_kind(first) == CB_PHONE_KIND_MOBILE);
    CHECK_STR(cb_parsed_phone_raw(second), "8 495 765 43 21 (раб.)");
    CHECK_STR(cb_parsed_phone_label(second), "раб.");
    CHECK_STR(cb_parsed_phone_e164(second), "+74957654321");
    CHECK(cb_parsed_phone_kind(second) == CB_PHONE_KIND_FIXED_LINE);
    const cb_parsed_phone *past = (const cb_parsed_phone *)SENTINEL_PTR;
    CHECK_FAILED(cb_phone_batch_get(numbers, 2, &past), CB_INVALID_VALUE,
                 "index 2 is out of range, there are 2 rows");
    CHECK(past == (const cb_parsed_phone *)SENTINEL_PTR);
    cb_phone_batch_free(numbers);

    /* The other separators, and a piece that is not a whole number. */
    CHECK_OK(cb_phone_normalizer_split(ru, "+7 916 123-45-67; 8 (812) 555-12-34 или 8 800 555 35 35",
                                       &numbers));
    CHECK(cb_phone_batch_len(numbers) == 3);
    cb_phone_batch_free(numbers);
    CHECK_OK(cb_phone_normalizer_split(ru, "8 916 123 45 67 / 123-45-67", &numbers));
    CHECK(cb_phone_batch_len(numbers) == 2);
    const cb_parsed_phone *local = NULL;
    CHECK_OK(cb_phone_batch_get(numbers, 1, &local));
    CHECK(!cb_parsed_phone_is_valid(local));
    CHECK(cb_parsed_phone_problem(local) == CB_PHONE_PROBLEM_TOO_SHORT);
    cb_phone_batch_free(numbers);

    /* One number gives one row, no digits none. */
    CHECK_OK(cb_phone_normalizer_split(ru, "моб. 8 916 123 45 67", &numbers));
    CHECK(cb_phone_batch_len(numbers) == 1);
    CHECK_OK(cb_phone_batch_get(numbers, 0, &first));
    CHECK_STR(cb_parsed_phone_label(first), "моб.");
    cb_phone_batch_free(numbers);
    CHECK_OK(cb_phone_normalizer_split(ru, "нет телефона", &numbers));
    CHECK(cb_phone_batch_len(numbers) == 0);
    cb_phone_batch_free(numbers);
}

static void test_phone_errors(const cb_phone_normalizer *ru)
{
    cb_parsed_phone *phone = (cb_parsed_phone *)SENTINEL_PTR;
    cb_phone_batch *batch = (cb_phone_batch *)SENTINEL_PTR;
    CHECK_NULL_ARG(cb_phone_normalizer_new(NULL, NULL), "out_normalizer");
    CHECK_BAD_UTF8(cb_phone_normalizer_new(BAD_UTF8, (cb_phone_normalizer **)&phone),
                   "default_region");
    CHECK_NULL_ARG(cb_phone_normalizer_parse(NULL, "8 916 123 45 67", &phone), "normalizer");
    CHECK_NULL_ARG(cb_phone_normalizer_parse(ru, NULL, &phone), "input");
    CHECK_NULL_ARG(cb_phone_normalizer_parse(ru, "8 916 123 45 67", NULL), "out_phone");
    CHECK_BAD_UTF8(cb_phone_normalizer_parse(ru, BAD_UTF8, &phone), "input");
    CHECK(phone == (cb_parsed_phone *)SENTINEL_PTR);

    const char *inputs[] = {"8 916 123 45 67"};
    CHECK_NULL_ARG(cb_phone_normalizer_parse_batch(NULL, inputs, 1, &batch), "normalizer");
    CHECK_NULL_ARG(cb_phone_normalizer_parse_batch(ru, NULL, 1, &batch), "inputs");
    CHECK_NULL_ARG(cb_phone_normalizer_parse_batch(ru, inputs, 1, NULL), "out_batch");
    CHECK_NULL_ARG(cb_phone_normalizer_split(NULL, "1", &batch), "normalizer");
    CHECK_NULL_ARG(cb_phone_normalizer_split(ru, NULL, &batch), "field");
    CHECK_NULL_ARG(cb_phone_normalizer_split(ru, "1", NULL), "out_batch");
    CHECK_BAD_UTF8(cb_phone_normalizer_split(ru, BAD_UTF8, &batch), "field");
    CHECK(batch == (cb_phone_batch *)SENTINEL_PTR);

    /* An empty batch may come from a NULL array. */
    CHECK_OK(cb_phone_normalizer_parse_batch(ru, NULL, 0, &batch));
    CHECK(batch != NULL && batch != (cb_phone_batch *)SENTINEL_PTR);
    CHECK(cb_phone_batch_len(batch) == 0);
    const cb_parsed_phone *row = (const cb_parsed_phone *)SENTINEL_PTR;
    CHECK_FAILED(cb_phone_batch_get(batch, 0, &row), CB_INVALID_VALUE, "out of range");
    CHECK_NULL_ARG(cb_phone_batch_get(NULL, 0, &row), "batch");
    CHECK_NULL_ARG(cb_phone_batch_get(batch, 0, NULL), "out_phone");
    CHECK(row == (const cb_parsed_phone *)SENTINEL_PTR);
    cb_phone_batch_free(batch);

    /* Formatting: a valid number, a bad format number, an invalid number, NULLs. */
    char *text = (char *)SENTINEL_PTR;
    CHECK_OK(cb_phone_normalizer_parse(ru, "8 916 123 45 67", &phone));
    CHECK_FAILED(cb_parsed_phone_format(phone, 3, &text), CB_INVALID_VALUE,
                 "3 is not a cb_phone_format");
    CHECK_STR(cb_last_error_field(), "format");
    CHECK_NULL_ARG(cb_parsed_phone_format(NULL, CB_PHONE_FORMAT_E164, &text), "phone");
    CHECK_NULL_ARG(cb_parsed_phone_format(phone, CB_PHONE_FORMAT_E164, NULL), "out_text");
    cb_parsed_phone_free(phone);
    CHECK_OK(cb_phone_normalizer_parse(ru, "12", &phone));
    CHECK_FAILED(cb_parsed_phone_format(phone, CB_PHONE_FORMAT_NATIONAL, &text),
                 CB_INVALID_VALUE, "not a valid number, so it cannot be formatted: too short");
    CHECK_STR(cb_last_error_field(), "phone");
    CHECK(text == (char *)SENTINEL_PTR);
    cb_parsed_phone_free(phone);

    /* Accessors on NULL give their harmless defaults; frees ignore NULL. */
    CHECK(!cb_parsed_phone_is_valid(NULL));
    CHECK(cb_parsed_phone_problem(NULL) == CB_PHONE_PROBLEM_NULL_INPUT);
    CHECK(cb_parsed_phone_reason(NULL) == NULL && cb_parsed_phone_e164(NULL) == NULL);
    CHECK(cb_parsed_phone_extension(NULL) == NULL && cb_parsed_phone_region(NULL) == NULL);
    CHECK(cb_parsed_phone_raw(NULL) == NULL && cb_parsed_phone_label(NULL) == NULL);
    CHECK(cb_parsed_phone_kind(NULL) == CB_PHONE_KIND_NONE);
    CHECK(cb_parsed_phone_country_code(NULL) == 0);
    CHECK(cb_phone_batch_len(NULL) == 0);
    cb_parsed_phone_free(NULL);
    cb_phone_batch_free(NULL);
    cb_phone_normalizer_free(NULL);

    /* Names of kinds and problems, and the numbers the ABI fixes. */
    CHECK_STR(cb_phone_kind_name(CB_PHONE_KIND_MOBILE), "mobile");
    CHECK_STR(cb_phone_kind_name(CB_PHONE_KIND_FIXED_LINE_OR_MOBILE), "fixed_line_or_mobile");
    CHECK_STR(cb_phone_kind_name(CB_PHONE_KIND_TOLL_FREE), "toll_free");
    CHECK_STR(cb_phone_kind_name(CB_PHONE_KIND_UNKNOWN), "unknown");
    CHECK_STR(cb_phone_kind_name(CB_PHONE_KIND_NONE), NULL);
    CHECK_STR(cb_phone_kind_name(UINT32_MAX), NULL);
    CHECK_STR(cb_phone_problem_name(CB_PHONE_PROBLEM_TOO_SHORT), "too_short");
    CHECK_STR(cb_phone_problem_name(CB_PHONE_PROBLEM_SEVERAL_NUMBERS), "several_numbers");
    CHECK_STR(cb_phone_problem_name(CB_PHONE_PROBLEM_NULL_INPUT), "null_input");
    CHECK_STR(cb_phone_problem_name(CB_PHONE_PROBLEM_INVALID_UTF8), "invalid_utf8");
    CHECK_STR(cb_phone_problem_name(CB_PHONE_PROBLEM_NONE), NULL);
    CHECK_STR(cb_phone_problem_name(10), NULL);
    CHECK(CB_PHONE_KIND_NONE == 0 && CB_PHONE_KIND_MOBILE == 1 && CB_PHONE_KIND_UNKNOWN == 12);
    CHECK(CB_PHONE_PROBLEM_EMPTY == 1 && CB_PHONE_PROBLEM_INTERNAL == 9 &&
          CB_PHONE_PROBLEM_NULL_INPUT == 100);
    CHECK(CB_PHONE_FORMAT_E164 == 0 && CB_PHONE_FORMAT_NATIONAL == 2);
}

/* A batch with NULL and non-UTF-8 elements: those rows are invalid, the others read. */
static void test_phone_batch_bad_elements(const cb_phone_normalizer *ru)
{
    const char *inputs[] = {"8 (916) 123-45-67", NULL, BAD_UTF8, "", "+7 812 123-45-67 доб. 5"};
    cb_phone_batch *batch = NULL;
    CHECK_OK(cb_phone_normalizer_parse_batch(ru, inputs, 5, &batch));
    CHECK(cb_phone_batch_len(batch) == 5);
    const cb_parsed_phone *row[5] = {NULL};
    for (size_t i = 0; i < 5; i++) {
        CHECK_OK(cb_phone_batch_get(batch, i, &row[i]));
    }
    CHECK_STR(cb_parsed_phone_e164(row[0]), "+79161234567");
    CHECK_STR(cb_parsed_phone_raw(row[0]), "8 (916) 123-45-67");
    CHECK(cb_parsed_phone_problem(row[1]) == CB_PHONE_PROBLEM_NULL_INPUT);
    CHECK_STR(cb_parsed_phone_reason(row[1]), "null parameter: argument \"inputs[1]\" is NULL");
    CHECK_STR(cb_parsed_phone_raw(row[1]), NULL);
    CHECK(cb_parsed_phone_problem(row[2]) == CB_PHONE_PROBLEM_INVALID_UTF8);
    CHECK(strstr(cb_parsed_phone_reason(row[2]), "invalid UTF-8: argument \"inputs[2]\"") != NULL);
    CHECK(cb_parsed_phone_e164(row[2]) == NULL);
    CHECK(cb_parsed_phone_problem(row[3]) == CB_PHONE_PROBLEM_EMPTY);
    CHECK_STR(cb_parsed_phone_extension(row[4]), "5");
    cb_phone_batch_free(batch);
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
    cb_phone_batch *batch = NULL;
    CHECK_OK(cb_phone_normalizer_parse_batch(ru, (const char *const *)inputs, n, &batch));
    CHECK(cb_phone_batch_len(batch) == n);
    size_t wrong = 0, valid = 0;
    for (size_t i = 0; i < n && batch != NULL; i++) {
        const cb_parsed_phone *row = NULL;
        if (cb_phone_batch_get(batch, i, &row) != CB_OK) {
            wrong++;
            continue;
        }
        const char *e164 = cb_parsed_phone_e164(row);
        int ok = expected[i][0] == '\0'
                     ? e164 == NULL && cb_parsed_phone_problem(row) == CB_PHONE_PROBLEM_TOO_SHORT
                     : e164 != NULL && strcmp(e164, expected[i]) == 0 &&
                           cb_parsed_phone_kind(row) == CB_PHONE_KIND_MOBILE;
        valid += e164 != NULL;
        if (!ok && wrong++ < 5) {
            fprintf(stderr, "batch row %zu: %s gave %s (%s)\n", i, inputs[i],
                    e164 ? e164 : "(null)",
                    cb_parsed_phone_reason(row) ? cb_parsed_phone_reason(row) : "");
        }
        /* The batch gives what a single parse gives. */
        if (i % 997 == 0) {
            cb_parsed_phone *single = NULL;
            CHECK_OK(cb_phone_normalizer_parse(ru, inputs[i], &single));
            CHECK_STR(cb_parsed_phone_e164(single), e164);
            CHECK_STR(cb_parsed_phone_reason(single), cb_parsed_phone_reason(row));
            cb_parsed_phone_free(single);
        }
    }
    CHECK(wrong == 0);
    CHECK(valid == n - n / 10);
    printf("phone batch: %zu numbers, %zu valid\n", n, valid);
    cb_phone_batch_free(batch);
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
    cb_parsed_email *email = NULL;

    CHECK_OK(cb_email_normalizer_parse(plain, "  Anna.Petrova@Mail.RU ", &email));
    CHECK(cb_parsed_email_is_valid(email));
    CHECK(cb_parsed_email_problem(email) == CB_EMAIL_PROBLEM_NONE);
    CHECK_STR(cb_parsed_email_address(email), "Anna.Petrova@mail.ru");
    CHECK_STR(cb_parsed_email_domain(email), "mail.ru");
    CHECK_STR(cb_parsed_email_key(email), "anna.petrova@mail.ru");
    CHECK_STR(cb_parsed_email_suggestion(email), NULL);
    CHECK_STR(cb_parsed_email_reason(email), NULL);
    cb_parsed_email_free(email);

    /* A typo is suggested, never applied. */
    CHECK_OK(cb_email_normalizer_parse(plain, "ivan@gmial.com", &email));
    CHECK(cb_parsed_email_is_valid(email));
    CHECK_STR(cb_parsed_email_address(email), "ivan@gmial.com");
    CHECK_STR(cb_parsed_email_suggestion(email), "ivan@gmail.com");
    cb_parsed_email_free(email);

    /* An internationalized domain is written in ASCII. */
    CHECK_OK(cb_email_normalizer_parse(plain, "info@Почта.рф", &email));
    CHECK_STR(cb_parsed_email_address(email), "info@xn--80a1acny.xn--p1ai");
    CHECK_STR(cb_parsed_email_domain(email), "xn--80a1acny.xn--p1ai");
    cb_parsed_email_free(email);

    /* Gmail dots and +tags only with provider rules. */
    CHECK_OK(cb_email_normalizer_parse(rules, "Ivan.Petrov+shop@googlemail.com", &email));
    CHECK_STR(cb_parsed_email_key(email), "ivanpetrov@gmail.com");
    CHECK_STR(cb_parsed_email_address(email), "Ivan.Petrov+shop@googlemail.com");
    cb_parsed_email_free(email);
    CHECK_OK(cb_email_normalizer_parse(plain, "Ivan.Petrov+shop@googlemail.com", &email));
    CHECK_STR(cb_parsed_email_key(email), "ivan.petrov+shop@googlemail.com");
    cb_parsed_email_free(email);

    /* Invalid addresses are results with a reason. */
    CHECK_OK(cb_email_normalizer_parse(plain, "ivan.petrov.mail.ru", &email));
    CHECK(!cb_parsed_email_is_valid(email));
    CHECK(cb_parsed_email_problem(email) == CB_EMAIL_PROBLEM_AT);
    CHECK_STR(cb_parsed_email_reason(email), "no @");
    CHECK_STR(cb_parsed_email_address(email), NULL);
    CHECK_STR(cb_parsed_email_key(email), NULL);
    CHECK_STR(cb_parsed_email_domain(email), NULL);
    cb_parsed_email_free(email);
    CHECK_OK(cb_email_normalizer_parse(plain, "ivan@mail,ru", &email));
    CHECK(cb_parsed_email_problem(email) == CB_EMAIL_PROBLEM_DOMAIN);
    CHECK(cb_parsed_email_reason(email) != NULL);
    CHECK_STR(cb_parsed_email_suggestion(email), "ivan@mail.ru");
    cb_parsed_email_free(email);
    CHECK_OK(cb_email_normalizer_parse(plain, "", &email));
    CHECK(cb_parsed_email_problem(email) == CB_EMAIL_PROBLEM_EMPTY);
    cb_parsed_email_free(email);

    /* A batch, with a NULL and a non-UTF-8 element. */
    const char *inputs[] = {"a@b.ru", NULL, BAD_UTF8, "anna@gmial.com", "@mail.ru"};
    cb_email_batch *batch = NULL;
    CHECK_OK(cb_email_normalizer_parse_batch(plain, inputs, 5, &batch));
    CHECK(cb_email_batch_len(batch) == 5);
    const cb_parsed_email *row = NULL;
    CHECK_OK(cb_email_batch_get(batch, 0, &row));
    CHECK_STR(cb_parsed_email_address(row), "a@b.ru");
    CHECK_OK(cb_email_batch_get(batch, 1, &row));
    CHECK(cb_parsed_email_problem(row) == CB_EMAIL_PROBLEM_NULL_INPUT);
    CHECK_STR(cb_parsed_email_reason(row), "null parameter: argument \"inputs[1]\" is NULL");
    CHECK_OK(cb_email_batch_get(batch, 2, &row));
    CHECK(cb_parsed_email_problem(row) == CB_EMAIL_PROBLEM_INVALID_UTF8);
    CHECK_OK(cb_email_batch_get(batch, 3, &row));
    CHECK_STR(cb_parsed_email_suggestion(row), "anna@gmail.com");
    CHECK_OK(cb_email_batch_get(batch, 4, &row));
    CHECK(cb_parsed_email_problem(row) == CB_EMAIL_PROBLEM_LOCAL_PART);
    const cb_parsed_email *past = (const cb_parsed_email *)SENTINEL_PTR;
    CHECK_FAILED(cb_email_batch_get(batch, 5, &past), CB_INVALID_VALUE, "out of range");
    CHECK(past == (const cb_parsed_email *)SENTINEL_PTR);
    cb_email_batch_free(batch);

    /* NULLs, bad UTF-8, untouched out-parameters. */
    email = (cb_parsed_email *)SENTINEL_PTR;
    batch = (cb_email_batch *)SENTINEL_PTR;
    CHECK_NULL_ARG(cb_email_normalizer_new(true, NULL), "out_normalizer");
    CHECK_NULL_ARG(cb_email_normalizer_parse(NULL, "a@b.ru", &email), "normalizer");
    CHECK_NULL_ARG(cb_email_normalizer_parse(plain, NULL, &email), "input");
    CHECK_NULL_ARG(cb_email_normalizer_parse(plain, "a@b.ru", NULL), "out_email");
    CHECK_BAD_UTF8(cb_email_normalizer_parse(plain, BAD_UTF8, &email), "input");
    CHECK_NULL_ARG(cb_email_normalizer_parse_batch(NULL, inputs, 1, &batch), "normalizer");
    CHECK_NULL_ARG(cb_email_normalizer_parse_batch(plain, NULL, 1, &batch), "inputs");
    CHECK_NULL_ARG(cb_email_normalizer_parse_batch(plain, inputs, 1, NULL), "out_batch");
    CHECK_NULL_ARG(cb_email_batch_get(NULL, 0, &past), "batch");
    CHECK(email == (cb_parsed_email *)SENTINEL_PTR && batch == (cb_email_batch *)SENTINEL_PTR);
    CHECK_OK(cb_email_normalizer_parse_batch(plain, NULL, 0, &batch));
    CHECK(cb_email_batch_len(batch) == 0);
    cb_email_batch_free(batch);
    CHECK(!cb_parsed_email_is_valid(NULL));
    CHECK(cb_parsed_email_problem(NULL) == CB_EMAIL_PROBLEM_NULL_INPUT);
    CHECK(cb_parsed_email_address(NULL) == NULL && cb_parsed_email_key(NULL) == NULL);
    CHECK(cb_parsed_email_domain(NULL) == NULL && cb_parsed_email_reason(NULL) == NULL);
    CHECK(cb_parsed_email_suggestion(NULL) == NULL && cb_email_batch_len(NULL) == 0);
    cb_parsed_email_free(NULL);
    cb_email_batch_free(NULL);
    cb_email_normalizer_free(NULL);
    CHECK_STR(cb_email_problem_name(CB_EMAIL_PROBLEM_LOCAL_PART), "local_part");
    CHECK_STR(cb_email_problem_name(CB_EMAIL_PROBLEM_AT), "at");
    CHECK_STR(cb_email_problem_name(CB_EMAIL_PROBLEM_INVALID_UTF8), "invalid_utf8");
    CHECK_STR(cb_email_problem_name(CB_EMAIL_PROBLEM_NONE), NULL);
    CHECK_STR(cb_email_problem_name(6), NULL);

    cb_email_normalizer_free(plain);
    cb_email_normalizer_free(rules);
}

/* ---- names -------------------------------------------------------------------- */

static void check_name(const char *full, const char *surname, const char *given,
                       const char *patronymic, cb_gender gender, const char *initials,
                       const char *file, int line)
{
    cb_person_name *name = NULL;
    cb_status status = cb_person_name_parse(full, &name);
    const char *s = cb_person_name_surname(name), *g = cb_person_name_given(name),
               *p = cb_person_name_patronymic(name), *i = cb_person_name_initials(name);
#define SAME(a, b) (((a) == NULL && (b) == NULL) || ((a) && (b) && strcmp((a), (b)) == 0))
    char detail[1024];
    snprintf(detail, sizeof detail, "%s: [%s] [%s] [%s] gender %u, %s", full, s ? s : "-",
             g ? g : "-", p ? p : "-", (unsigned)cb_person_name_gender(name), i ? i : "-");
    ts_check(status == CB_OK && SAME(s, surname) && SAME(g, given) && SAME(p, patronymic) &&
                 cb_person_name_gender(name) == gender && SAME(i, initials),
             file, line, "name", detail);
#undef SAME
    cb_person_name_free(name);
}
#define CHECK_NAME(full, s, g, p, gender, initials)                                         \
    check_name((full), (s), (g), (p), (gender), (initials), __FILE__, __LINE__)

/* The key of the whole name `full`, as a string the caller frees with free(). */
static char *whole_name_key(const char *full)
{
    cb_person_name *name = NULL;
    if (cb_person_name_parse(full, &name) != CB_OK) {
        return NULL;
    }
    const char *key = cb_person_name_key(name);
    char *copy = key ? malloc(strlen(key) + 1) : NULL;
    if (copy != NULL) {
        strcpy(copy, key);
    }
    cb_person_name_free(name);
    return copy;
}

static void test_names(void)
{
    CHECK_NAME("Иванов Сергей Петрович", "Иванов", "Сергей", "Петрович", CB_GENDER_MALE,
               "Иванов С. П.");
    CHECK_NAME("  сергей  петрович ИВАНОВ ", "Иванов", "Сергей", "Петрович", CB_GENDER_MALE,
               "Иванов С. П.");
    CHECK_NAME("Анна Ивановна Петрова", "Петрова", "Анна", "Ивановна", CB_GENDER_FEMALE,
               "Петрова А. И.");
    CHECK_NAME("Сергей Иванов", "Иванов", "Сергей", NULL, CB_GENDER_UNKNOWN, "Иванов С.");
    CHECK_NAME("рашид гусейн оглы алиев", "Алиев", "Рашид", "Гусейн оглы", CB_GENDER_MALE,
               "Алиев Р. Г.");
    CHECK_NAME("", NULL, NULL, NULL, CB_GENDER_UNKNOWN, "");

    char *a = whole_name_key("Ivanov Sergey");
    char *b = whole_name_key("Иванов Сергей");
    char *c = whole_name_key("Сергей Иванов");
    CHECK(a != NULL && b != NULL && c != NULL);
    CHECK_STR(a, b);
    CHECK_STR(b, c);
    free(a);
    free(b);
    free(c);

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

    cb_person_name *name = (cb_person_name *)SENTINEL_PTR;
    text = (char *)SENTINEL_PTR;
    CHECK_NULL_ARG(cb_person_name_parse(NULL, &name), "full_name");
    CHECK_NULL_ARG(cb_person_name_parse("Иванов", NULL), "out_name");
    CHECK_BAD_UTF8(cb_person_name_parse(BAD_UTF8, &name), "full_name");
    CHECK_NULL_ARG(cb_name_key(NULL, &text), "text");
    CHECK_NULL_ARG(cb_name_key("x", NULL), "out_key");
    CHECK_BAD_UTF8(cb_name_key(BAD_UTF8, &text), "text");
    CHECK_NULL_ARG(cb_name_transliterate(NULL, &text), "text");
    CHECK_NULL_ARG(cb_name_transliterate("x", NULL), "out_text");
    CHECK_BAD_UTF8(cb_name_transliterate(BAD_UTF8, &text), "text");
    CHECK_NULL_ARG(cb_name_clean(NULL, &text), "text");
    CHECK_NULL_ARG(cb_name_clean("x", NULL), "out_text");
    CHECK_BAD_UTF8(cb_name_clean(BAD_UTF8, &text), "text");
    CHECK(name == (cb_person_name *)SENTINEL_PTR && text == (char *)SENTINEL_PTR);
    CHECK(cb_person_name_surname(NULL) == NULL && cb_person_name_given(NULL) == NULL);
    CHECK(cb_person_name_patronymic(NULL) == NULL && cb_person_name_initials(NULL) == NULL);
    CHECK(cb_person_name_key(NULL) == NULL);
    CHECK(cb_person_name_gender(NULL) == CB_GENDER_UNKNOWN);
    CHECK_STR(cb_gender_name(CB_GENDER_FEMALE), "female");
    CHECK_STR(cb_gender_name(CB_GENDER_UNKNOWN), "unknown");
    CHECK(cb_gender_name(3) == NULL);
    cb_person_name_free(NULL);
}

/* ---- a whole base ------------------------------------------------------------- */

static void test_normalize_contacts(void)
{
    cb_base *base = NULL;
    CHECK_OK(cb_base_new(NULL, &base));
    CHECK_OK(cb_base_freeze_clock(base, 1735689600));
    uint64_t ivanov = 0, petrova = 0;
    CHECK_OK(cb_base_add_client_json(
        base, "{\"kind\":\"person\",\"surname\":\"Иванов\",\"given\":\"Сергей\",\"phones\":[{\"raw\":"
              "\"8 916 123 45 67, 8 495 765 43 21 (раб.)\"}],\"emails\":[{\"raw\":\"Sergey@Mail.RU\"}]}",
        &ivanov));
    CHECK_OK(cb_base_add_client_json(
        base, "{\"kind\":\"person\",\"surname\":\"Петрова\",\"given\":\"Анна\",\"phones\":[{\"raw\":"
              "\"тел. 123-45-67\"},{\"raw\":\"+7 (812) 555-12-34 доб. 12\"}],\"emails\":[{\"raw\":"
              "\"anna@gmial.com\"},{\"raw\":\"anna(at)mail.ru\"}]}",
        &petrova));

    char *report = (char *)SENTINEL_PTR;
    CHECK_NULL_ARG(cb_base_normalize_contacts(NULL, NULL, &report), "base");
    CHECK_NULL_ARG(cb_base_normalize_contacts(base, NULL, NULL), "out_json");
    CHECK_STATUS(cb_base_normalize_contacts(base, "{\"phone_regoin\":\"RU\"}", &report), CB_JSON);
    CHECK(strstr(cb_last_error_message(), "unknown field `phone_regoin`") != NULL);
    CHECK_STATUS(cb_base_normalize_contacts(base, "{\"phone_region\":\"XX\"}", &report),
                 CB_INVALID_VALUE);
    CHECK_STR(cb_last_error_field(), "phone_region");
    CHECK(report == (char *)SENTINEL_PTR);

    /* The whole report: 2 clients looked at and changed, 5 contact points
     * changed, Ivanov's two numbers split, Petrova's short local number and
     * email without @ invalid, a typo offered for gmial.com. */
    CHECK_OK(cb_base_normalize_contacts(base, NULL, &report));
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
    CHECK_OK(cb_base_client_json(base, ivanov, &json));
    CHECK(json != NULL && strstr(json, "\"raw\":\"8 495 765 43 21 (раб.)\"") != NULL &&
          strstr(json, "\"e164\":\"+74957654321\"") != NULL &&
          strstr(json, "\"label\":\"раб.\"") != NULL &&
          strstr(json, "\"normalized\":\"Sergey@mail.ru\"") != NULL);
    cb_string_free(json);

    /* Normalizing again changes nothing; explicit params are used. */
    CHECK_OK(cb_base_normalize_contacts(
        base, "{\"phone_region\":\"RU\",\"email_provider_rules\":true}", &report));
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
