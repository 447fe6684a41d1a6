/*
 * Reminders, stage actions and routing from C, through the generic bridge:
 * the printing shop's "your order is ready" SMS when a deal moves to
 * `ready` (`cb_base_call_table` on `stage_actions`), the completeness robot's
 * tasks (`due`), recorded once (`cb_base_call_mut` on `add_due_tasks`) and
 * never given again, and a lead routed to a manager (`route`).
 */
#include "testsupport.h"

static int contains(const char *text, const char *needle)
{
    return text != NULL && strstr(text, needle) != NULL;
}

#define CHECK_CONTAINS(text, needle)                                                       \
    ts_check(contains((text), (needle)), __FILE__, __LINE__, "contains " #needle, (text))

static const char *PRINT_RULES =
    "{\"version\":1,\"rules\":[{\"name\":\"order_ready\",\"kind\":\"stage_entered\","
    "\"pipeline\":\"orders\",\"stage\":\"ready\",\"action\":\"notify_client\","
    "\"text\":\"{{ client.given }}, ваш заказ готов\"},"
    "{\"name\":\"ask_email\",\"kind\":\"missing_contact\",\"contact\":\"email\"}]}";

/* Мария Соколова ordered business cards; Nina is her manager. */
static cb_base *printing_shop(uint64_t *deal)
{
    cb_base *base = NULL;
    CHECK_OK(cb_base_new(NULL, &base));
    uint64_t id = 0;
    CHECK_OK(cb_base_add_json(
        base, "client",
        "{\"surname\":\"Соколова\",\"given\":\"Мария\",\"owner\":\"nina\","
        "\"phones\":[\"+7 916 555-12-34\"]}",
        &id));
    CHECK(id == 1);
    CHECK_OK(cb_base_add_json(
        base, "deal",
        "{\"client\":1,\"title\":\"Визитки\",\"pipeline\":\"orders\",\"stage\":\"in_print\","
        "\"amount\":{\"amount\":\"3500\",\"currency\":\"RUB\"},"
        "\"created_at\":\"2026-12-05T12:00:00Z\"}",
        deal));
    CHECK_OK(cb_base_update_json(
        base, "deal",
        "{\"id\":1,\"client\":1,\"title\":\"Визитки\",\"pipeline\":\"orders\",\"stage\":\"ready\","
        "\"amount\":{\"amount\":\"3500\",\"currency\":\"RUB\"},"
        "\"created_at\":\"2026-12-05T12:00:00Z\"}"));
    return base;
}

static void test_stage_notification(void)
{
    uint64_t deal = 0;
    cb_base *base = printing_shop(&deal);
    char params[1024];
    snprintf(params, sizeof params,
             "{\"deal\":%llu,\"as_of\":\"2026-12-07\",\"rules\":%s}",
             (unsigned long long)deal, PRINT_RULES);
    cb_table *table = NULL;
    CHECK_OK(cb_base_call_table(base, "stage_actions", params, &table));
    CHECK(cb_table_rows(table) == 1);
    char *json = NULL;
    CHECK_OK(cb_table_to_json(table, &json));
    CHECK_CONTAINS(json, "\"values\":[\"order_ready/deal-1/2026-12-07\"]");
    CHECK_CONTAINS(json, "\"values\":[\"sms\"]");
    CHECK_CONTAINS(json, "\"values\":[\"+7 916 555-12-34\"]");
    CHECK_CONTAINS(json, "\"values\":[\"Мария, ваш заказ готов\"]");
    cb_string_free(json);
    cb_table_free(table);

    /* Neither a deal nor since: the error names the field. */
    CHECK_STATUS(cb_base_call(base, "stage_actions", "{}", &json), CB_INVALID_VALUE);
    CHECK_CONTAINS(cb_last_error_message(), "deal");
    cb_base_free(base);
}

static void test_due_once(void)
{
    uint64_t deal = 0;
    cb_base *base = printing_shop(&deal);
    char params[1024];
    snprintf(params, sizeof params, "{\"as_of\":\"2026-12-07\",\"rules\":%s}", PRINT_RULES);
    char *json = NULL;
    CHECK_OK(cb_base_call(base, "due", params, &json));
    /* The move read from the deal's creation (in memory), and no email. */
    CHECK_CONTAINS(json, "\"values\":[\"order_ready/deal-1/2026-12-05\",\"ask_email/client-1\"]");
    CHECK_CONTAINS(json, "\"values\":[\"nina\",\"nina\"]");
    cb_string_free(json);

    CHECK_STATUS(cb_base_call(base, "add_due_tasks", params, &json), CB_INVALID_VALUE);
    CHECK_OK(cb_base_call_mut(base, "add_due_tasks", params, &json));
    CHECK_CONTAINS(json, "\"tasks\":1");
    CHECK_CONTAINS(json, "\"messages\":1");
    cb_string_free(json);

    /* The same day again: nothing. */
    cb_table *table = NULL;
    CHECK_OK(cb_base_call_table(base, "due", params, &table));
    CHECK(cb_table_rows(table) == 0);
    cb_table_free(table);

    /* An unknown key in a rule is refused and named. */
    CHECK_STATUS(cb_base_call(base, "due",
                              "{\"rules\":{\"version\":1,\"rules\":[{\"name\":\"b\","
                              "\"kind\":\"birthday\",\"colour\":1}]}}",
                              &json),
                 CB_JSON);
    CHECK_CONTAINS(cb_last_error_message(), "colour");
    cb_base_free(base);
}

static void test_route(void)
{
    uint64_t deal = 0;
    cb_base *base = printing_shop(&deal);
    char *json = NULL;
    /* Her phone and name: a known client, to her own manager. */
    CHECK_OK(cb_base_call(base, "route",
                          "{\"lead\":{\"name\":\"Мария Соколова\",\"phone\":\"89165551234\"},"
                          "\"managers\":[{\"name\":\"nina\"},{\"name\":\"oleg\"}]}",
                          &json));
    CHECK_CONTAINS(json, "\"client\":1");
    CHECK_CONTAINS(json, "\"manager\":\"nina\"");
    CHECK_CONTAINS(json, "\"rule\":\"own_manager\"");
    cb_string_free(json);
    /* A stranger at night goes to the one who starts first. */
    CHECK_OK(cb_base_call(base, "route",
                          "{\"lead\":{\"name\":\"Пётр Новый\",\"phone\":\"+7 903 000-00-01\"},"
                          "\"managers\":[{\"name\":\"nina\",\"working_hours\":\"10:00-19:00\"},"
                          "{\"name\":\"oleg\",\"working_hours\":\"08:00-17:00\"}],"
                          "\"at\":\"2026-12-07T21:00:00Z\"}",
                          &json));
    CHECK_CONTAINS(json, "\"client\":null");
    CHECK_CONTAINS(json, "\"manager\":\"oleg\"");
    CHECK_CONTAINS(json, "\"after_hours\":true");
    cb_string_free(json);
    CHECK_STATUS(cb_base_call(base, "route", "{\"managers\":[{\"name\":\"x\",\"hours\":1}]}", &json),
                 CB_JSON);
    cb_base_free(base);
}

int main(void)
{
    test_stage_notification();
    test_due_once();
    test_route();
    return ts_finish();
}
