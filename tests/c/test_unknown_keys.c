/*
 * Every options, rules and record type the C API takes as JSON: a typo in a key
 * is CB_JSON with a message naming the key and the keys allowed, a partial
 * object gets the defaults, and the full form read back is accepted again.
 * The core reads all of them, so these are the same checks as
 * crates/clientbase/tests/unknown_keys.rs and python/tests/test_unknown_keys.py.
 *
 * Usage: test_unknown_keys
 */
#include "testsupport.h"

/* The call failed with CB_JSON (or `expected`) and the message names `key` and `allowed`. */
static void check_refused(cb_status status, cb_status expected, const char *key,
                          const char *allowed, const char *file, int line)
{
    char detail[2048];
    const char *message = cb_last_error_message();
    snprintf(detail, sizeof detail, "got %s (%s), expected %s naming %s and %s",
             cb_status_name(status), message, cb_status_name(expected), key, allowed);
    ts_check(status == expected && strstr(message, key) != NULL &&
                 strstr(message, allowed) != NULL,
             file, line, "refused", detail);
}
#define CHECK_REFUSED(call, key, allowed)                                                  \
    check_refused((call), CB_JSON, (key), (allowed), __FILE__, __LINE__)
#define CHECK_REFUSED_AS(call, status, key, allowed)                                       \
    check_refused((call), (status), (key), (allowed), __FILE__, __LINE__)

/* `text` (a string from the library, or NULL) contains `needle`. */
#define CHECK_CONTAINS(text, needle)                                                       \
    do {                                                                                   \
        const char *tc_text_ = (text);                                                     \
        char tc_msg_[4096];                                                                \
        snprintf(tc_msg_, sizeof tc_msg_, "\"%s\" should contain \"%s\"",                  \
                 tc_text_ ? tc_text_ : "(null)", (needle));                                \
        ts_check(tc_text_ != NULL && strstr(tc_text_, (needle)) != NULL, __FILE__,         \
                 __LINE__, #text " contains " #needle, tc_msg_);                           \
    } while (0)

#define MONEY "{\"amount\":\"100.00\",\"currency\":\"RUB\"}"

static void test_schema(void)
{
    cb_base *base = NULL;
    CHECK_REFUSED(cb_base_new("{\"tagz\":[\"vip\"]}", &base), "`tagz`", "`tags`");
    CHECK(base == NULL);
    CHECK_OK(cb_base_new("{\"tags\":[\"vip\"]}", &base));
    CHECK_REFUSED(
        cb_base_declare_field_json(base, "{\"name\":\"rooms\",\"type\":\"integer\",\"lable\":\"x\"}"),
        "`lable`", "`label`");
    CHECK_REFUSED(
        cb_base_declare_field_json(base, "{\"name\":\"rooms\",\"type\":\"integer\",\"options\":[]}"),
        "`options`", "integer");
    CHECK_OK(cb_base_declare_field_json(base, "{\"name\":\"rooms\",\"type\":\"integer\"}"));
    cb_base_free(base);
}

static void test_records(cb_base *base)
{
    uint64_t id = 0;
    CHECK_OK(cb_base_add_json(
        base, "client",
        "{\"kind\":\"person\",\"surname\":\"Иванов\",\"given_name\":\"Иван\","
        "\"phone\":\"8 916 123-45-67\"}",
        &id));
    CHECK(id == 1);
    char *json = NULL;
    CHECK_OK(cb_base_record_json(base, "client", id, &json));
    CHECK_CONTAINS(json, "\"given\":\"Иван\"");
    CHECK_CONTAINS(json, "\"raw\":\"8 916 123-45-67\"");
    /* The full form read back is accepted as it is. */
    CHECK_OK(cb_base_update_json(base, "client", json));
    cb_string_free(json);

    uint64_t other = 0;
    CHECK_REFUSED(cb_base_add_json(base, "client", "{\"surname\":\"Петров\",\"nickname\":\"Петя\"}",
                                          &other),
                  "`nickname`", "`given_name`");
    CHECK(other == 0);
    CHECK_REFUSED(cb_base_add_json(
                      base, "client", "{\"surname\":\"Петров\",\"phones\":[{\"raw\":\"1\",\"lable\":\"x\"}]}",
                      &other),
                  "`lable`", "`label`");
    CHECK_REFUSED(cb_base_add_json(base, "client", "{\"kind\":\"person\",\"legal_name\":\"ООО\"}",
                                          &other),
                  "`legal_name`", "surname, given, patronymic");
    CHECK_OK(cb_base_add_json(base, "client", "{\"kind\":\"company\",\"company\":\"ООО «Ромашка»\"}",
                                     &other));
    CHECK(other == 2);

    uint64_t deal = 0;
    CHECK_REFUSED(cb_base_add_json(
                      base, "deal", "{\"client\":1,\"amount\":" MONEY ",\"titel\":\"Кухня\"}", &deal),
                  "`titel`", "`title`");
    CHECK_REFUSED(cb_base_add_json(base, "deal",
                                        "{\"client\":1,\"amount\":" MONEY ",\"lines\":[{\"product\":"
                                        "\"x\",\"quantity\":1,\"unit_price\":" MONEY
                                        ",\"qty\":2}]}",
                                        &deal),
                  "`qty`", "`quantity`");
    CHECK(deal == 0);
    CHECK_OK(cb_base_add_json(base, "deal", "{\"client_id\":1,\"amount\":" MONEY "}", &deal));
    CHECK(deal == 1);
    CHECK_OK(cb_base_record_json(base, "deal", deal, &json));
    CHECK_CONTAINS(json, "\"pipeline\":\"default\"");
    CHECK_OK(cb_base_update_json(base, "deal", json));
    cb_string_free(json);

    uint64_t activity = 0;
    CHECK_REFUSED(cb_base_add_json(
                      base, "activity",
                      "{\"client\":1,\"kind\":\"call\",\"at\":\"2024-05-01T10:00:00Z\",\"note\":\"x\"}",
                      &activity),
                  "`note`", "`text`");
    CHECK_OK(cb_base_add_json(
        base, "activity", "{\"client\":1,\"kind\":\"call\",\"at\":\"2024-05-01T10:00:00Z\"}", &activity));
    CHECK(activity == 1);
}

static void test_rules(cb_base *base)
{
    char *json = NULL;
    CHECK_REFUSED(cb_base_call(base, "duplicate_deals", "{\"rules\":{\"window\":30}}", &json), "`window`",
                  "`window_days`");
    CHECK(json == NULL);
    CHECK_OK(cb_base_call(base, "duplicate_deals", "{\"rules\":{\"window_days\":30}}", &json));
    CHECK_STR(json, "[]");
    cb_string_free(json);
    json = NULL;
    CHECK_REFUSED(cb_base_call(base, "find_duplicate_deal",
                               "{\"deal\":{\"client\":1,\"amount\":" MONEY "},"
                               "\"rules\":{\"abandoned\":3}}", &json),
                  "`abandoned`", "`abandoned_after_days`");

    uint64_t survivor = 0, other = 0;
    CHECK_OK(cb_base_add_json(
        base, "client", "{\"kind\":\"person\",\"surname\":\"Сидорова\",\"given\":\"Анна\"}", &survivor));
    CHECK_OK(cb_base_add_json(
        base, "client", "{\"kind\":\"person\",\"surname\":\"Сидорова\",\"given\":\"Аня\"}", &other));
    char *record = NULL;
    char params[160];
    snprintf(params, sizeof params,
             "{\"survivor\":%" PRIu64 ",\"others\":[%" PRIu64 "],\"rules\":{\"default\":"
             "\"most_recent\",\"feilds\":{\"city\":\"most_frequent\"}}}",
             survivor, other);
    CHECK_REFUSED(cb_base_call_mut(base, "merge_clients", params, &record), "`feilds`", "`fields`");
    CHECK(record == NULL);
    /* `default` is optional. */
    snprintf(params, sizeof params,
             "{\"survivor\":%" PRIu64 ",\"others\":[%" PRIu64 "],\"rules\":{\"fields\":"
             "{\"city\":\"most_frequent\"}}}",
             survivor, other);
    CHECK_OK(cb_base_call_mut(base, "merge_clients", params, &record));
    CHECK(record != NULL);
    cb_string_free(record);
}

static void test_match_index(cb_base *base)
{
    cb_match_index *index = NULL;
    CHECK_REFUSED(cb_match_index_new(base, "{\"treshold\":0.9}", &index), "`treshold`",
                  "`threshold`");
    CHECK(index == NULL);
    CHECK_OK(cb_match_index_new(base, "{\"threshold\":0.9}", &index));

    char *json = NULL;
    CHECK_REFUSED(cb_match_index_find(index, "{\"surname\":\"Иванов\",\"phonez\":[]}", 5, &json),
                  "`phonez`", "`phones`");
    CHECK(json == NULL);
    CHECK_OK(cb_match_index_find(index, "{\"surname\":\"Иванов\",\"phone\":\"8 916 123-45-67\"}",
                                 5, &json));
    CHECK_CONTAINS(json, "\"client\":1");
    cb_string_free(json);

    json = NULL;
    CHECK_REFUSED(cb_match_index_dedupe(index, "{\"not_duplicate\":[[1,2]]}", &json),
                  "`not_duplicate`", "`not_duplicates`");
    CHECK(json == NULL);
    CHECK_OK(cb_match_index_dedupe(index, "{}", &json));
    CHECK_CONTAINS(json, "\"clusters\"");
    cb_string_free(json);
    cb_match_index_free(index);
}

/* An import's params: the CSV, the mapping and the given options. */
#define IMPORT(options)                                                                   \
    "{\"csv\":\"Фамилия;Имя\\nИванова;Анна\\n\","                                    \
    "\"mapping\":{\"Фамилия\":\"surname\",\"Имя\":\"given_name\"},\"options\":" options "}"

static void test_csv_options(void)
{
    cb_base *base = NULL;
    CHECK_OK(cb_base_new(NULL, &base));
    char *report = NULL;
    CHECK_REFUSED(cb_base_call_mut(base, "import_clients_csv", IMPORT("{\"delimeter\":\";\"}"), &report),
                  "`delimeter`", "`delimiter`");
    CHECK_REFUSED(cb_base_call_mut(base, "import_clients_csv", IMPORT("{\"currensy\":\"USD\"}"), &report),
                  "`currensy`", "`currency`");
    CHECK_REFUSED(cb_base_call_mut(base, "import_clients_csv", IMPORT("{\"delimiter\":5}"), &report),
                  "delimiter", "printable ASCII");
    CHECK(report == NULL);
    CHECK_REFUSED(cb_base_call_mut(
                      base, "import_clients_csv", "{\"csv\":\"a\\n\",\"mapping\":{\"a\":\"surname\"},\"mappnig\":{}}",
                      &report),
                  "`mappnig`", "`mapping`");
    CHECK_REFUSED_AS(cb_base_call_mut(
                         base, "import_clients_csv", "{\"csv\":\"Фамилия\\nИванова\\n\",\"mapping\":{\"Фамилия\":\"surnme\"}}",
                         &report),
                     CB_CSV, "\"surnme\"", "targets are");
    CHECK_OK(cb_base_call_mut(base, "import_clients_csv", IMPORT("{\"delimiter\":59}"), &report));
    CHECK_CONTAINS(report, "\"imported\":[1]");
    cb_string_free(report);
    cb_base_free(base);
}

int main(void)
{
    test_schema();
    cb_base *base = NULL;
    CHECK_OK(cb_base_new(NULL, &base));
    test_records(base);
    test_rules(base);
    test_match_index(base);
    cb_base_free(base);
    test_csv_options();
    return ts_finish();
}
