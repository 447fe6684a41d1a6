/*
 * Exercises every function of the C API: success paths, NULL for each pointer
 * argument (CB_NULL_PARAMETER), invalid UTF-8 (CB_INVALID_UTF8), out-parameters
 * left untouched on failure, error messages naming the record and field, the
 * per-thread last error, and (built with -DCB_TEST_PANIC against a library
 * built with the `test-panic` feature) the panic boundary.
 *
 * Usage: test_api <scratch directory>
 */
#include "testsupport.h"

#if !defined(__STDC_NO_THREADS__)
#include <threads.h>
#endif

#define NOW 1735689600 /* 2025-01-01T00:00:00Z */

static const char BAD_UTF8[] = "\xff\xfe";
static char SENTINEL;
#define SENTINEL_STR (&SENTINEL)
#define SENTINEL_ID UINT64_C(777)

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

/* The call failed with CB_NULL_PARAMETER and the message names argument `arg`. */
#define CHECK_NULL_ARG(call, arg)                                                          \
    check_failed_with((call), CB_NULL_PARAMETER, "argument \"" arg "\" is NULL", __FILE__, \
                      __LINE__)

/* The call failed with CB_INVALID_UTF8 and the message names argument `arg`. */
#define CHECK_BAD_UTF8(call, arg)                                                          \
    check_failed_with((call), CB_INVALID_UTF8, "invalid UTF-8: argument \"" arg "\"",      \
                      __FILE__, __LINE__)

/* A string the library returned contains `needle`; the string is freed. */
static void check_contains_and_free(char *text, const char *needle, const char *file, int line)
{
    char detail[1024];
    snprintf(detail, sizeof detail, "\"%s\" does not contain \"%s\"", text ? text : "(null)",
             needle);
    ts_check(text != NULL && strstr(text, needle) != NULL, file, line, "contains", detail);
    cb_string_free(text);
}
#define CHECK_CONTAINS_FREE(text, needle) check_contains_and_free((text), (needle), __FILE__, __LINE__)

static void test_statuses(void)
{
    CHECK_STR(cb_status_name(CB_OK), "ok");
    CHECK_STR(cb_status_name(CB_INVALID_VALUE), "invalid_value");
    CHECK_STR(cb_status_name(CB_UNKNOWN_ID), "unknown_id");
    CHECK_STR(cb_status_name(CB_UNKNOWN_TAG), "unknown_tag");
    CHECK_STR(cb_status_name(CB_UNKNOWN_FIELD), "unknown_field");
    CHECK_STR(cb_status_name(CB_FIELD_TYPE), "field_type");
    CHECK_STR(cb_status_name(CB_CURRENCY_MISMATCH), "currency_mismatch");
    CHECK_STR(cb_status_name(CB_SCHEMA), "schema");
    CHECK_STR(cb_status_name(CB_CONFLICT), "conflict");
    CHECK_STR(cb_status_name(CB_CSV), "csv");
    CHECK_STR(cb_status_name(CB_JSON), "json");
    CHECK_STR(cb_status_name(CB_IO), "io");
    CHECK_STR(cb_status_name(CB_STORAGE), "storage");
    CHECK_STR(cb_status_name(CB_FORBIDDEN), "forbidden");
    CHECK_STR(cb_status_name(CB_NULL_PARAMETER), "null_parameter");
    CHECK_STR(cb_status_name(CB_INVALID_UTF8), "invalid_utf8");
    CHECK_STR(cb_status_name(CB_PANIC), "panic");
    CHECK_STR(cb_status_name(CB_UNKNOWN_ERROR), "unknown_error");
    CHECK_STR(cb_status_name(14), "unknown_status");
    CHECK_STR(cb_status_name(UINT32_MAX), "unknown_status");
    /* The numbers are part of the ABI. */
    CHECK(CB_OK == 0 && CB_INVALID_VALUE == 1 && CB_IO == 11 && CB_STORAGE == 12);
    CHECK(CB_NULL_PARAMETER == 100 && CB_INVALID_UTF8 == 101 && CB_PANIC == 102);
    const char *version = cb_version();
    CHECK(version != NULL && version[0] >= '0' && version[0] <= '9');
}

static void test_base_lifecycle(void)
{
    cb_base *base = (cb_base *)SENTINEL_STR;
    CHECK_NULL_ARG(cb_base_new(NULL, NULL), "out_base");
    CHECK_BAD_UTF8(cb_base_new(BAD_UTF8, &base), "schema_json");
    check_failed_with(cb_base_new("{\"tags\":", &base), CB_JSON, "JSON error", __FILE__,
                      __LINE__);
    CHECK(base == (cb_base *)SENTINEL_STR);
    CHECK_OK(cb_base_new("{\"tags\":[\"vip\"],\"fields\":[{\"name\":\"rooms\",\"type\":\"integer\"}]}",
                         &base));
    CHECK(base != (cb_base *)SENTINEL_STR);
    cb_base_free(base);

    base = (cb_base *)SENTINEL_STR;
    CHECK_OK(cb_base_new(NULL, &base));
    CHECK(base != NULL && base != (cb_base *)SENTINEL_STR);
    char *counts = NULL;
    CHECK_OK(cb_base_call(base, "counts", NULL, &counts));
    CHECK_CONTAINS_FREE(counts, "\"activities\":0,\"clients\":0,\"companies\":0,\"deal_lines\":0,"
                                "\"deals\":0,");

    CHECK_NULL_ARG(cb_base_freeze_clock(NULL, NOW), "base");
    check_failed_with(cb_base_freeze_clock(base, INT64_MAX), CB_INVALID_VALUE, "unix_seconds",
                      __FILE__, __LINE__);
    CHECK_STR(cb_last_error_field(), "unix_seconds");
    CHECK_OK(cb_base_freeze_clock(base, NOW));
    CHECK_NULL_ARG(cb_base_unfreeze_clock(NULL), "base");
    CHECK_OK(cb_base_unfreeze_clock(base));
    cb_base_free(base);
    cb_base_free(NULL);
}

static void test_schema(cb_base *base)
{
    CHECK_NULL_ARG(cb_base_declare_tag(NULL, "vip"), "base");
    CHECK_NULL_ARG(cb_base_declare_tag(base, NULL), "tag");
    CHECK_BAD_UTF8(cb_base_declare_tag(base, BAD_UTF8), "tag");
    check_failed_with(cb_base_declare_tag(base, "a,b"), CB_SCHEMA, "list separator", __FILE__,
                      __LINE__);
    CHECK_OK(cb_base_declare_tag(base, "vip"));
    CHECK_OK(cb_base_declare_tag(base, "opt"));
    CHECK_STR(cb_last_error_message(), "");

    const char *rooms = "{\"name\":\"rooms\",\"type\":\"integer\"}";
    CHECK_NULL_ARG(cb_base_declare_field_json(NULL, rooms), "base");
    CHECK_NULL_ARG(cb_base_declare_field_json(base, NULL), "field_json");
    CHECK_BAD_UTF8(cb_base_declare_field_json(base, BAD_UTF8), "field_json");
    check_failed_with(cb_base_declare_field_json(base, "{\"name\":\"x\"}"), CB_JSON,
                      "JSON error", __FILE__, __LINE__);
    CHECK_OK(cb_base_declare_field_json(base, rooms));
    CHECK_OK(cb_base_declare_field_json(
        base, "{\"name\":\"budget\",\"type\":\"money\",\"currency\":\"RUB\"}"));
    check_failed_with(cb_base_declare_field_json(base, "{\"name\":\"rooms\",\"type\":\"text\"}"),
                      CB_SCHEMA, "already declared differently", __FILE__, __LINE__);
}

static void test_clients(cb_base *base)
{
    uint64_t id = SENTINEL_ID;
    const char *anna = "{\"kind\":\"person\",\"surname\":\"Иванова\",\"given\":\"Анна\","
                       "\"tags\":[\"vip\"],\"custom\":{\"rooms\":\"3\"}}";

    /* JSON */
    CHECK_NULL_ARG(cb_base_add_json(NULL, "client", anna, &id), "base");
    CHECK_NULL_ARG(cb_base_add_json(base, "client", NULL, &id), "client_json");
    CHECK_NULL_ARG(cb_base_add_json(base, "client", anna, NULL), "out_id");
    CHECK_NULL_ARG(cb_base_add_json(base, NULL, anna, &id), "kind");
    CHECK_STATUS(cb_base_add_json(base, "lead", anna, &id), CB_INVALID_VALUE);
    CHECK_STR(cb_last_error_field(), "kind");
    CHECK_BAD_UTF8(cb_base_add_json(base, "client", BAD_UTF8, &id), "client_json");
    CHECK_STATUS(cb_base_add_json(
                     base, "client", "{\"kind\":\"person\",\"surname\":\"Петров\",\"tags\":[\"gold\"]}", &id),
                 CB_UNKNOWN_TAG);
    CHECK_STR(cb_last_error_message(),
              "unknown tag: new client, field \"tags\": \"gold\" is not in the tag vocabulary");
    CHECK_STR(cb_last_error_record(), "new client");
    CHECK_STR(cb_last_error_field(), "tags");
    CHECK(id == SENTINEL_ID);
    CHECK_STATUS(cb_base_add_json(base, "client", "{", &id), CB_JSON);
    CHECK_STR(cb_last_error_message(), "JSON error: EOF while parsing an object at line 1 column 1");
    CHECK(cb_last_error_record() == NULL && cb_last_error_field() == NULL);
    CHECK(id == SENTINEL_ID);
    CHECK_OK(cb_base_add_json(base, "client", anna, &id));
    CHECK(id == 1);
    /* A success clears the last error. */
    CHECK_STR(cb_last_error_message(), "");
    CHECK(cb_last_error_record() == NULL);
    CHECK(cb_last_error_status() == CB_OK);

    /* People and companies */
    id = SENTINEL_ID;
    CHECK_STATUS(cb_base_add_json(base, "client", "{\"kind\":\"person\"}", &id), CB_INVALID_VALUE);
    CHECK_STR(cb_last_error_field(), "name");
    CHECK(id == SENTINEL_ID);
    CHECK_OK(cb_base_add_json(base, "client", "{\"kind\":\"person\",\"surname\":\"Петров\",\"given\":\"Пётр\"}",
                                     &id));
    CHECK(id == 2);
    CHECK_OK(cb_base_add_json(base, "client", "{\"kind\":\"person\",\"surname\":\"Сидорова\","
                                           "\"given\":\"Мария\",\"patronymic\":\"Ивановна\"}",
                                     &id));
    CHECK(id == 3);
    id = SENTINEL_ID;
    CHECK_STATUS(cb_base_add_json(base, "client", "{\"kind\":\"company\",\"legal_name\":\"ООО «Ромашка»\","
                                               "\"tax_id\":\"7707083894\"}",
                                         &id),
                 CB_INVALID_VALUE);
    CHECK_STR(cb_last_error_message(),
              "invalid value: new client, field \"tax_id\": ИНН 7707083894 fails its check digit");
    CHECK_STR(cb_last_error_record(), "new client");
    CHECK_STR(cb_last_error_field(), "tax_id");
    CHECK(id == SENTINEL_ID);
    CHECK_OK(cb_base_add_json(base, "client", "{\"kind\":\"company\",\"legal_name\":\"ООО «Ромашка»\","
                                           "\"tax_id\":\"7707083893\"}",
                                     &id));
    CHECK(id == 4);

    /* Fetch */
    char *json = SENTINEL_STR;
    CHECK_NULL_ARG(cb_base_record_json(NULL, "client", 1, &json), "base");
    CHECK_NULL_ARG(cb_base_record_json(base, "client", 1, NULL), "out_json");
    CHECK_STATUS(cb_base_record_json(base, "client", 99, &json), CB_UNKNOWN_ID);
    CHECK_STR(cb_last_error_message(), "unknown id: client 99: client 99 does not exist");
    CHECK_STR(cb_last_error_record(), "client 99");
    CHECK(json == SENTINEL_STR);
    CHECK_OK(cb_base_record_json(base, "client", 3, &json));
    CHECK_STR(json, "{\"id\":3,\"kind\":\"person\",\"surname\":\"Сидорова\",\"given\":\"Мария\","
                    "\"patronymic\":\"Ивановна\",\"created_at\":\"2025-01-01T00:00:00Z\","
                    "\"updated_at\":\"2025-01-01T00:00:00Z\",\"stage\":\"lead\","
                    "\"can_refer\":false,\"consents\":{}}");
    cb_string_free(json);
    CHECK_OK(cb_base_record_json(base, "client", 1, &json));
    CHECK_CONTAINS_FREE(json, "\"custom\":{\"rooms\":3}");

    /* Update from JSON */
    const char *petrov = "{\"id\":2,\"kind\":\"person\",\"surname\":\"Петров\",\"given\":\"Пётр\","
                         "\"city\":\"Казань\"}";
    CHECK_NULL_ARG(cb_base_update_json(NULL, "client", petrov), "base");
    CHECK_NULL_ARG(cb_base_update_json(base, "client", NULL), "client_json");
    CHECK_BAD_UTF8(cb_base_update_json(base, "client", BAD_UTF8), "client_json");
    CHECK_STATUS(cb_base_update_json(base, "client", "{\"id\":99,\"kind\":\"person\",\"surname\":\"Нет\"}"),
                 CB_UNKNOWN_ID);
    CHECK_STR(cb_last_error_message(), "unknown id: client 99: client 99 does not exist");
    CHECK_OK(cb_base_update_json(base, "client", petrov));
    CHECK_OK(cb_base_record_json(base, "client", 2, &json));
    CHECK_CONTAINS_FREE(json, "\"city\":\"Казань\"");

    /* Updates adding phones, emails, tags and custom fields */
#define PETROV_WITH(extra)                                                                          \
    "{\"id\":2,\"kind\":\"person\",\"surname\":\"Петров\",\"given\":\"Пётр\",\"city\":\"Казань\"," extra "}"
    CHECK_STATUS(cb_base_update_json(base, "client", PETROV_WITH("\"phones\":[{\"raw\":\"  \"}]")),
                 CB_INVALID_VALUE);
    CHECK_STR(cb_last_error_record(), "client 2");
    CHECK_STR(cb_last_error_field(), "phones[0]");
    CHECK_STATUS(cb_base_update_json(base, "client", PETROV_WITH("\"tags\":[\"gold\"]")), CB_UNKNOWN_TAG);
    CHECK_STR(cb_last_error_record(), "client 2");
    CHECK_STR(cb_last_error_field(), "tags");
    CHECK_STATUS(cb_base_update_json(base, "client", PETROV_WITH("\"custom\":{\"rooms\":\"много\"}")),
                 CB_FIELD_TYPE);
    CHECK_STR(cb_last_error_message(),
              "wrong field type: client 2, field \"custom.rooms\": expected integer, got text \"много\"");
    CHECK_STATUS(cb_base_update_json(base, "client", PETROV_WITH("\"custom\":{\"shoe\":\"42\"}")),
                 CB_UNKNOWN_FIELD);
    CHECK_OK(cb_base_update_json(
        base, "client", PETROV_WITH("\"phones\":[{\"raw\":\"8 916 000-00-00\"}],"
                          "\"emails\":[{\"raw\":\"petrov@example.ru\"}],\"tags\":[\"vip\"],"
                          "\"custom\":{\"rooms\":\"4\",\"budget\":\"1 500 000,50\"}")));
#undef PETROV_WITH

    CHECK_OK(cb_base_record_json(base, "client", 2, &json));
    CHECK_CONTAINS_FREE(json, "\"raw\":\"8 916 000-00-00\"");
    CHECK_OK(cb_base_record_json(base, "client", 2, &json));
    CHECK_CONTAINS_FREE(json, "\"emails\":[{\"raw\":\"petrov@example.ru\"");
    CHECK_OK(cb_base_record_json(base, "client", 2, &json));
    CHECK_CONTAINS_FREE(json, "\"tags\":[\"vip\"]");
    CHECK_OK(cb_base_record_json(base, "client", 2, &json));
    CHECK_CONTAINS_FREE(
        json, "\"custom\":{\"budget\":{\"amount\":\"1500000.50\",\"currency\":\"RUB\"},\"rooms\":4}");
}

static void test_deals(cb_base *base)
{
    uint64_t id = SENTINEL_ID;
#define DEAL_OF(client, amount, currency)                                                           \
    "{\"client\":" client ",\"amount\":{\"amount\":\"" amount "\",\"currency\":\"" currency "\"}}"
    CHECK_STATUS(cb_base_add_json(base, "deal", DEAL_OF("1", "1 234,50", "рубли"), &id), CB_JSON);
    CHECK(strstr(cb_last_error_message(), "рубли") != NULL);
    CHECK_STATUS(cb_base_add_json(base, "deal", DEAL_OF("1", "12,345", "RUB"), &id), CB_JSON);
    CHECK_STATUS(cb_base_add_json(base, "deal", DEAL_OF("99", "1 234,50", "RUB"), &id), CB_UNKNOWN_ID);
    CHECK_STR(cb_last_error_message(), "unknown id: new deal, field \"client\": client 99 does not exist");
    CHECK(id == SENTINEL_ID);
    CHECK_OK(cb_base_add_json(base, "deal", DEAL_OF("1", "1 234,50", "₽"), &id));
    CHECK(id == 1);
#undef DEAL_OF

    const char *deal = "{\"client\":2,\"title\":\"Корм на полгода\","
                       "\"amount\":{\"amount\":\"4900\",\"currency\":\"RUB\"}}";
    id = SENTINEL_ID;
    CHECK_NULL_ARG(cb_base_add_json(NULL, "deal", deal, &id), "base");
    CHECK_NULL_ARG(cb_base_add_json(base, "deal", NULL, &id), "deal_json");
    CHECK_NULL_ARG(cb_base_add_json(base, "deal", deal, NULL), "out_id");
    CHECK_BAD_UTF8(cb_base_add_json(base, "deal", BAD_UTF8, &id), "deal_json");
    CHECK_STATUS(cb_base_add_json(base, "deal", "{\"client\":2}", &id), CB_JSON);
    CHECK(id == SENTINEL_ID);
    CHECK_OK(cb_base_add_json(base, "deal", deal, &id));
    CHECK(id == 2);

    const char *won = "{\"id\":2,\"client\":2,\"status\":\"won\",\"stage\":\"paid\","
                      "\"amount\":{\"amount\":\"4900\",\"currency\":\"RUB\"},"
                      "\"closed_at\":\"2025-01-02T12:00:00Z\"}";
    CHECK_NULL_ARG(cb_base_update_json(NULL, "deal", won), "base");
    CHECK_NULL_ARG(cb_base_update_json(base, "deal", NULL), "deal_json");
    CHECK_BAD_UTF8(cb_base_update_json(base, "deal", BAD_UTF8), "deal_json");
    CHECK_STATUS(cb_base_update_json(
                     base, "deal", "{\"id\":7,\"client\":1,\"amount\":{\"amount\":\"1\",\"currency\":\"RUB\"}}"),
                 CB_UNKNOWN_ID);
    CHECK_STR(cb_last_error_message(), "unknown id: deal 7: deal 7 does not exist");
    CHECK_OK(cb_base_update_json(base, "deal", won));

    char *json = SENTINEL_STR;
    CHECK_NULL_ARG(cb_base_record_json(NULL, "deal", 1, &json), "base");
    CHECK_NULL_ARG(cb_base_record_json(base, "deal", 1, NULL), "out_json");
    CHECK_STATUS(cb_base_record_json(base, "deal", 99, &json), CB_UNKNOWN_ID);
    CHECK_STR(cb_last_error_message(), "unknown id: deal 99: deal 99 does not exist");
    CHECK(json == SENTINEL_STR);
    CHECK_OK(cb_base_record_json(base, "deal", 1, &json));
    CHECK_STR(json, "{\"id\":1,\"client\":1,\"pipeline\":\"default\",\"stage\":\"new\","
                    "\"status\":\"open\",\"amount\":{\"amount\":\"1234.50\",\"currency\":\"RUB\"},"
                    "\"created_at\":\"2025-01-01T00:00:00Z\"}");
    cb_string_free(json);
    CHECK_OK(cb_base_record_json(base, "deal", 2, &json));
    CHECK_CONTAINS_FREE(json, "\"status\":\"won\"");
}

static void test_activities(cb_base *base)
{
    uint64_t id = SENTINEL_ID;
    CHECK_STATUS(cb_base_add_json(
                     base, "activity", "{\"client\":1,\"kind\":\"fax\",\"at\":\"2025-01-01T01:00:00Z\"}", &id),
                 CB_JSON);
    CHECK(strstr(cb_last_error_message(), "fax") != NULL);
    CHECK_STATUS(cb_base_add_json(
                     base, "activity", "{\"client\":1,\"kind\":\"call\",\"at\":\"-300000-01-01T00:00:00Z\"}", &id),
                 CB_JSON);
    CHECK_STATUS(cb_base_add_json(
                     base, "activity", "{\"client\":99,\"kind\":\"note\",\"at\":\"2025-01-01T00:00:00Z\"}", &id),
                 CB_UNKNOWN_ID);
    CHECK_STR(cb_last_error_record(), "new activity");
    CHECK_STR(cb_last_error_field(), "client");
    CHECK(id == SENTINEL_ID);
    CHECK_OK(cb_base_add_json(base, "activity", "{\"client\":1,\"kind\":\"call\",\"at\":"
                                             "\"2025-01-01T01:00:00Z\",\"text\":\"Позвонил\"}",
                                       &id));
    CHECK(id == 1);
    CHECK_OK(cb_base_add_json(
        base, "activity", "{\"client\":1,\"kind\":\"note\",\"at\":\"2025-01-01T00:00:00Z\"}", &id));
    CHECK(id == 2);

    const char *task = "{\"client\":2,\"kind\":\"task\",\"at\":\"2025-01-01T10:00:00Z\","
                       "\"due\":\"2025-01-03T10:00:00Z\",\"text\":\"Перезвонить\"}";
    id = SENTINEL_ID;
    CHECK_NULL_ARG(cb_base_add_json(NULL, "activity", task, &id), "base");
    CHECK_NULL_ARG(cb_base_add_json(base, "activity", NULL, &id), "activity_json");
    CHECK_NULL_ARG(cb_base_add_json(base, "activity", task, NULL), "out_id");
    CHECK_BAD_UTF8(cb_base_add_json(base, "activity", BAD_UTF8, &id), "activity_json");
    CHECK_STATUS(cb_base_add_json(
                     base, "activity", "{\"client\":2,\"kind\":\"note\",\"at\":\"2025-01-01T10:00:00Z\","
                           "\"due\":\"2025-01-03T10:00:00Z\"}", &id),
                 CB_INVALID_VALUE);
    CHECK_STR(cb_last_error_message(),
              "invalid value: new activity, field \"due\": only tasks have a due date");
    CHECK(id == SENTINEL_ID);
    CHECK_OK(cb_base_add_json(base, "activity", task, &id));
    CHECK(id == 3);

    const char *done = "{\"id\":3,\"client\":2,\"kind\":\"task\",\"at\":\"2025-01-01T10:00:00Z\","
                       "\"due\":\"2025-01-03T10:00:00Z\",\"text\":\"Перезвонить\",\"done\":true}";
    CHECK_NULL_ARG(cb_base_update_json(NULL, "activity", done), "base");
    CHECK_NULL_ARG(cb_base_update_json(base, "activity", NULL), "activity_json");
    CHECK_BAD_UTF8(cb_base_update_json(base, "activity", BAD_UTF8), "activity_json");
    CHECK_STATUS(cb_base_update_json(
                     base, "activity", "{\"id\":9,\"client\":2,\"kind\":\"note\",\"at\":\"2025-01-01T10:00:00Z\"}"),
                 CB_UNKNOWN_ID);
    CHECK_OK(cb_base_update_json(base, "activity", done));

    char *json = SENTINEL_STR;
    CHECK_NULL_ARG(cb_base_record_json(NULL, "activity", 1, &json), "base");
    CHECK_NULL_ARG(cb_base_record_json(base, "activity", 1, NULL), "out_json");
    CHECK_STATUS(cb_base_record_json(base, "activity", 99, &json), CB_UNKNOWN_ID);
    CHECK_STR(cb_last_error_message(), "unknown id: activity 99: activity 99 does not exist");
    CHECK(json == SENTINEL_STR);
    CHECK_OK(cb_base_record_json(base, "activity", 1, &json));
    CHECK_STR(json, "{\"id\":1,\"client\":1,\"kind\":\"call\",\"at\":\"2025-01-01T01:00:00Z\","
                    "\"text\":\"Позвонил\",\"done\":false}");
    cb_string_free(json);
    CHECK_OK(cb_base_record_json(base, "activity", 3, &json));
    CHECK_CONTAINS_FREE(json, "\"done\":true");
}

static void test_counts_and_json(cb_base *base)
{
    char *json = SENTINEL_STR;
    CHECK_OK(cb_base_call(base, "counts", NULL, &json));
    CHECK_STR(json, "{\"activities\":3,\"clients\":4,\"companies\":1,\"deal_lines\":0,\"deals\":2,"
                    "\"open_deals\":1,\"open_tasks\":0,\"persons\":3}");
    cb_string_free(json);
    json = SENTINEL_STR;
    CHECK_NULL_ARG(cb_base_to_json(NULL, &json), "base");
    CHECK_NULL_ARG(cb_base_to_json(base, NULL), "out_json");
    CHECK(json == SENTINEL_STR);
    CHECK_OK(cb_base_to_json(base, &json));
    CHECK(json != NULL && strncmp(json, "{\"format\":\"clientbase\",\"version\":1,", 35) == 0);

    cb_base *copy = (cb_base *)SENTINEL_STR;
    CHECK_NULL_ARG(cb_base_from_json(NULL, &copy), "json");
    CHECK_NULL_ARG(cb_base_from_json(json, NULL), "out_base");
    CHECK_BAD_UTF8(cb_base_from_json(BAD_UTF8, &copy), "json");
    CHECK_STATUS(cb_base_from_json("{\"format\":\"clientbase\",\"version\":1,\"clients\":"
                                   "[{\"id\":4,\"kind\":\"person\",\"surname\":\"A\","
                                   "\"tags\":[\"gold\"]}]}",
                                   &copy),
                 CB_UNKNOWN_TAG);
    CHECK_STR(cb_last_error_record(), "client 4");
    CHECK(copy == (cb_base *)SENTINEL_STR);
    CHECK_OK(cb_base_from_json(json, &copy));
    char *again = NULL;
    CHECK_OK(cb_base_to_json(copy, &again));
    CHECK_STR(again, json);
    cb_string_free(again);
    cb_string_free(json);
    cb_base_free(copy);
}

static void test_csv(cb_base *base, const char *scratch)
{
    const char *csv = "Фамилия;Имя;Телефон;Метки;Комнат;Заметки\n"
                      "Кузнецова;Ольга;8 (916) 123-45-67;vip;2;звонить вечером\n"
                      "Попов;Олег;+7 903 000-00-00;gold;1;\n"
                      ";;;;;\n";
    const char *mapping = "{\"Фамилия\":\"surname\",\"Имя\":\"given_name\",\"Телефон\":\"phone\","
                          "\"Метки\":\"tags\",\"Комнат\":\"custom.rooms\"}";
    char csv_json[1024], params[2048];
    CHECK(ts_json_string(csv, csv_json, sizeof csv_json));
    snprintf(params, sizeof params, "{\"csv\":%s,\"mapping\":%s,\"options\":{\"delimiter\":\";\"}}",
             csv_json, mapping);
    char *report = SENTINEL_STR;
    CHECK_NULL_ARG(cb_base_call_mut(NULL, "import_clients_csv", params, &report), "base");
    CHECK_NULL_ARG(cb_base_call_mut(base, "import_clients_csv", params, NULL), "out_json");
    CHECK_BAD_UTF8(cb_base_call_mut(base, "import_clients_csv", BAD_UTF8, &report), "params_json");
    /* No params: the mapping is required. */
    check_failed_with(cb_base_call_mut(base, "import_clients_csv", NULL, &report), CB_INVALID_VALUE,
                      "the column mapping is required", __FILE__, __LINE__);
    char bad[2048];
    snprintf(bad, sizeof bad, "{\"csv\":%s,\"mapping\":{\"Фамилия\":\"surnam\"}}", csv_json);
    CHECK_STATUS(cb_base_call_mut(base, "import_clients_csv", bad, &report), CB_CSV);
    snprintf(bad, sizeof bad, "{\"csv\":%s,\"mapping\":%s,\"options\":{\"delimiter\":\";;\"}}",
             csv_json, mapping);
    CHECK_STATUS(cb_base_call_mut(base, "import_clients_csv", bad, &report), CB_JSON);
    snprintf(bad, sizeof bad, "{\"csv\":%s,\"mapping\":%s,\"optoins\":{}}", csv_json, mapping);
    check_failed_with(cb_base_call_mut(base, "import_clients_csv", bad, &report), CB_JSON,
                      "unknown field `optoins`", __FILE__, __LINE__);
    CHECK(report == SENTINEL_STR);
    CHECK_OK(cb_base_call_mut(base, "import_clients_csv", params, &report));
    /* rows 3 = 2 imported (ids 5, 6; the unknown tag set aside) + 1 empty;
     * "Заметки" was not read. */
    CHECK_STR(report, "{\"empty_rows\":1,\"ignored_columns\":[\"Заметки\"],\"imported\":[5,6],"
                      "\"imported_lines\":[2,3],"
                      "\"rejected\":[],\"rows\":3,\"set_aside\":[{\"column\":\"Метки\",\"field\":\"tags\","
                      "\"kind\":\"unknown_tag\",\"line\":3,"
                      "\"reason\":\"\\\"gold\\\" is not in the tag vocabulary\"}]}");
    cb_string_free(report);

    /* Export, then import the export from a file into a fresh base. */
    char *exported = SENTINEL_STR;
    CHECK_NULL_ARG(cb_base_export_csv(NULL, "client", &exported), "base");
    CHECK_NULL_ARG(cb_base_export_csv(base, "client", NULL), "out_csv");
    CHECK_OK(cb_base_export_csv(base, "client", &exported));
    CHECK(exported != NULL && strncmp(exported, "id,kind,surname,", 16) == 0);
    cb_string_free(exported);
    CHECK_OK(cb_base_export_csv(base, "deal", &exported));
    CHECK(exported != NULL && strncmp(exported, "id,client_id,", 13) == 0);
    cb_string_free(exported);
    CHECK_NULL_ARG(cb_base_export_csv(NULL, "deal", &exported), "base");
    CHECK_NULL_ARG(cb_base_export_csv(base, "deal", NULL), "out_csv");

    char clients_path[1024], deals_path[1024], missing_path[1024];
    snprintf(clients_path, sizeof clients_path, "%s/clients.csv", scratch);
    snprintf(deals_path, sizeof deals_path, "%s/deals.csv", scratch);
    snprintf(missing_path, sizeof missing_path, "%s/no/such/file.csv", scratch);
    CHECK_NULL_ARG(cb_base_export_csv_file(NULL, "client", clients_path), "base");
    CHECK_NULL_ARG(cb_base_export_csv_file(base, "client", NULL), "path");
    CHECK_BAD_UTF8(cb_base_export_csv_file(base, "client", BAD_UTF8), "path");
    CHECK_STATUS(cb_base_export_csv_file(base, "client", missing_path), CB_IO);
    CHECK_OK(cb_base_export_csv_file(base, "client", clients_path));
    CHECK_NULL_ARG(cb_base_export_csv_file(NULL, "deal", deals_path), "base");
    CHECK_NULL_ARG(cb_base_export_csv_file(base, "deal", NULL), "path");
    CHECK_BAD_UTF8(cb_base_export_csv_file(base, "deal", BAD_UTF8), "path");
    CHECK_OK(cb_base_export_csv_file(base, "deal", deals_path));

    /* The canonical mapping: every exported column to the target it is named after. */
    const char *client_mapping =
        "[[\"id\",\"id\"],[\"kind\",\"kind\"],[\"surname\",\"surname\"],"
        "[\"given_name\",\"given_name\"],[\"patronymic\",\"patronymic\"],"
        "[\"company\",\"company\"],[\"tax_id\",\"tax_id\"],[\"birthday\",\"birthday\"],"
        "[\"city\",\"city\"],[\"region\",\"region\"],[\"address\",\"address\"],"
        "[\"owner\",\"owner\"],[\"source\",\"source\"],[\"stage\",\"stage\"],"
        "[\"temperature\",\"temperature\"],[\"behaviour\",\"behaviour\"],"
        "[\"loyalty_percent\",\"loyalty_percent\"],[\"can_refer\",\"can_refer\"],"
        "[\"created_at\",\"created_at\"],[\"updated_at\",\"updated_at\"],[\"tags\",\"tags\"],"
        "[\"phones_json\",\"phones_json\"],[\"emails_json\",\"emails_json\"],"
        "[\"messengers_json\",\"messengers_json\"],[\"consents_json\",\"consents_json\"],"
        "[\"relations_json\",\"relations_json\"],[\"custom_json\",\"custom_json\"]]";
    const char *deal_mapping =
        "{\"id\":\"id\",\"client_id\":\"client_id\",\"title\":\"title\",\"pipeline\":\"pipeline\","
        "\"stage\":\"stage\",\"status\":\"status\",\"amount\":\"amount\",\"currency\":\"currency\","
        "\"created_at\":\"created_at\",\"closed_at\":\"closed_at\",\"owner\":\"owner\","
        "\"source\":\"source\",\"lines_json\":\"lines_json\","
        "\"recurrence_json\":\"recurrence_json\"}";
    cb_base *copy = NULL;
    CHECK_OK(cb_base_new("{\"tags\":[\"opt\",\"vip\"],\"fields\":[{\"name\":\"budget\","
                         "\"type\":\"money\",\"currency\":\"RUB\"},{\"name\":\"rooms\","
                         "\"type\":\"integer\"}]}",
                         &copy));
    char path_json[1100];
    report = SENTINEL_STR;
    CHECK(ts_json_string(missing_path, path_json, sizeof path_json));
    snprintf(params, sizeof params, "{\"path\":%s,\"mapping\":%s}", path_json, client_mapping);
    CHECK_STATUS(cb_base_call_mut(copy, "import_clients_csv", params, &report), CB_IO);
    CHECK(strstr(cb_last_error_message(), "no/such/file.csv") != NULL);
    CHECK(report == SENTINEL_STR);
    CHECK(ts_json_string(clients_path, path_json, sizeof path_json));
    snprintf(params, sizeof params, "{\"path\":%s,\"mapping\":%s}", path_json, client_mapping);
    CHECK_OK(cb_base_call_mut(copy, "import_clients_csv", params, &report));
    CHECK(strstr(report, "\"rejected\":[]") != NULL);
    CHECK(strstr(report, "\"imported\":[1,2,3,4,5,") != NULL);
    cb_string_free(report);

    CHECK(ts_json_string(deals_path, path_json, sizeof path_json));
    snprintf(params, sizeof params, "{\"path\":%s,\"mapping\":%s}", path_json, deal_mapping);
    CHECK_NULL_ARG(cb_base_call_mut(NULL, "import_deals_csv", params, &report), "base");
    CHECK_NULL_ARG(cb_base_call_mut(copy, "import_deals_csv", params, NULL), "out_json");
    CHECK_OK(cb_base_call_mut(copy, "import_deals_csv", params, &report));
    CHECK(strstr(report, "\"rejected\":[]") != NULL);
    CHECK(strstr(report, "\"imported\":[1,2]") != NULL);
    cb_string_free(report);

    char *a = NULL, *b = NULL;
    CHECK_OK(cb_base_call(base, "counts", NULL, &a));
    CHECK_OK(cb_base_call(copy, "counts", NULL, &b));
    /* The copy has the clients and deals, not the activities. */
    CHECK_STR(strstr(a, "\"clients\":"), strstr(b, "\"clients\":"));
    cb_string_free(a);
    cb_string_free(b);

    /* Deals from CSV text. */
    const char *deals_csv = "Клиент;Сумма;Название\n1;4 990,00;Абонемент\n42;100;Нет клиента\n";
    const char *deals_mapping = "{\"Клиент\":\"client_id\",\"Сумма\":\"amount\",\"Название\":\"title\"}";
    CHECK(ts_json_string(deals_csv, csv_json, sizeof csv_json));
    snprintf(params, sizeof params, "{\"csv\":%s,\"mapping\":%s,\"options\":{\"currency\":\"RUB\"}}",
             csv_json, deals_mapping);
    CHECK_BAD_UTF8(cb_base_call_mut(copy, "import_deals_csv", BAD_UTF8, &report), "params_json");
    CHECK_OK(cb_base_call_mut(copy, "import_deals_csv", params, &report));
    /* One imported, one rejected at line 3 for its unknown client. */
    CHECK(strstr(report, "\"imported\":[3]") != NULL);
    CHECK(strstr(report, "\"kind\":\"unknown_id\",\"line\":3,") != NULL);
    cb_string_free(report);
    cb_base_free(copy);
}

#if !defined(__STDC_NO_THREADS__)
static int fail_on_other_thread(void *arg)
{
    (void)arg;
    cb_base *base = NULL;
    return cb_base_new("{", &base) == CB_JSON && cb_last_error_status() == CB_JSON ? 0 : 1;
}
#endif

static void test_last_error_is_per_thread(void)
{
    cb_base *base = NULL;
    CHECK_STATUS(cb_base_new("[", &base), CB_JSON);
    char mine[256];
    snprintf(mine, sizeof mine, "%s", cb_last_error_message());
#if !defined(__STDC_NO_THREADS__)
    cb_status before = cb_last_error_status();
    thrd_t thread;
    int result = 1;
    CHECK(thrd_create(&thread, fail_on_other_thread, NULL) == thrd_success);
    CHECK(thrd_join(thread, &result) == thrd_success);
    CHECK(result == 0);
    CHECK(cb_last_error_status() == before);
    CHECK_STR(cb_last_error_message(), mine);
#endif
    /* Reading the last error does not clear it; the next fallible call does. */
    CHECK_STR(cb_last_error_message(), mine);
    CHECK_OK(cb_base_new(NULL, &base));
    CHECK_STR(cb_last_error_message(), "");
    cb_base_free(base);
    cb_string_free(NULL);
}

static void test_panic_boundary(void)
{
#if defined(CB_TEST_PANIC)
    CHECK_NULL_ARG(cb_debug_panic(NULL), "message");
    CHECK_STATUS(cb_debug_panic("deliberate failure in a test"), CB_PANIC);
    CHECK_STR(cb_last_error_message(), "internal panic: deliberate failure in a test");
    CHECK(cb_last_error_status() == CB_PANIC);
    CHECK_STR(cb_status_name(cb_last_error_status()), "panic");
    /* The host is still alive and the library still works. */
    cb_base *base = NULL;
    uint64_t id = 0;
    CHECK_OK(cb_base_new(NULL, &base));
    CHECK_OK(cb_base_add_json(base, "client", "{\"kind\":\"person\",\"surname\":\"Живой\",\"given\":\"Хост\"}", &id));
    CHECK(id == 1);
    cb_base_free(base);
#else
    printf("panic boundary not tested: build with -DCB_TEST_PANIC against a test-panic library\n");
#endif
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s <scratch directory>\n", argv[0]);
        return 2;
    }
    test_statuses();
    test_base_lifecycle();

    cb_base *base = NULL;
    CHECK_OK(cb_base_new(NULL, &base));
    CHECK_OK(cb_base_freeze_clock(base, NOW));
    test_schema(base);
    test_clients(base);
    test_deals(base);
    test_activities(base);
    test_counts_and_json(base);
    test_csv(base, argv[1]);
    cb_base_free(base);

    test_last_error_is_per_thread();
    test_panic_boundary();
    return ts_finish();
}
