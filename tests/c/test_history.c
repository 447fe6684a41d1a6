/*
 * A client's history and the HTML report from C: the history through the
 * generic bridge (`cb_base_call_table`) on a base in memory and on a base
 * file (whose change log adds consent and contact changes), a merged-away
 * client leading to the survivor, and the report as one HTML string
 * (the `report_html` capability) with user strings escaped. The scratch directory
 * is the first argument.
 */
#include "testsupport.h"

static int contains(const char *text, const char *needle)
{
    return text != NULL && strstr(text, needle) != NULL;
}

#define CHECK_CONTAINS(text, needle)                                                       \
    ts_check(contains((text), (needle)), __FILE__, __LINE__, "contains " #needle, (text))

static int count(const char *text, const char *needle)
{
    int n = 0;
    for (const char *p = strstr(text, needle); p != NULL; p = strstr(p + 1, needle)) {
        n++;
    }
    return n;
}

/* Anna with a won deal (owner "<b>Оля</b>") and a call; Анна again with a lost deal. */
static void fill(cb_base *base)
{
    uint64_t id = 0;
    CHECK_OK(cb_base_add_json(
        base, "client",
        "{\"surname\":\"Иванова\",\"given\":\"Анна\",\"created_at\":\"2024-01-10T09:00:00Z\","
        "\"consents\":{\"marketing\":{\"sms\":{\"state\":\"given\",\"date\":\"2024-01-10\"}}}}",
        &id));
    CHECK(id == 1);
    CHECK_OK(cb_base_add_json(base, "deal",
                                   "{\"client\":1,\"owner\":\"<b>Оля</b>\",\"amount\":{\"amount\":"
                                   "\"1234567.89\",\"currency\":\"RUB\"},\"status\":\"won\","
                                   "\"created_at\":\"2024-03-01T10:00:00Z\","
                                   "\"closed_at\":\"2024-03-11T10:00:00Z\"}",
                                   &id));
    CHECK_OK(cb_base_add_json(
        base, "activity", "{\"client\":1,\"kind\":\"call\",\"at\":\"2024-03-02T10:00:00Z\",\"manager\":\"Оля\"}",
        &id));
    CHECK_OK(cb_base_add_json(
        base, "client",
        "{\"surname\":\"Иванова\",\"given\":\"Анна\",\"created_at\":\"2024-02-01T09:00:00Z\","
        "\"emails\":[{\"raw\":\"anna@mail.ru\"}]}",
        &id));
    CHECK(id == 2);
    CHECK_OK(cb_base_add_json(base, "deal",
                                   "{\"client\":2,\"amount\":{\"amount\":\"500.00\",\"currency\":"
                                   "\"RUB\"},\"status\":\"lost\","
                                   "\"created_at\":\"2024-02-02T10:00:00Z\","
                                   "\"closed_at\":\"2024-02-20T10:00:00Z\"}",
                                   &id));
}

static void test_history_in_memory(void)
{
    cb_base *base = NULL;
    CHECK_OK(cb_base_new(NULL, &base));
    fill(base);
    cb_table *history = NULL;
    CHECK_OK(cb_base_call_table(base, "client_history", "{\"client\":1}", &history));
    /* consent, client added, deal opened, call, deal won */
    CHECK(cb_table_rows(history) == 5);
    char *json = NULL;
    CHECK_OK(cb_table_to_json(history, &json));
    CHECK_CONTAINS(json, "{\"name\":\"kind\",\"type\":\"text\",\"values\":[\"consent_given\","
                         "\"client_added\",\"deal_opened\",\"activity\",\"deal_won\"]}");
    CHECK_CONTAINS(json, "\"source\",\"type\":\"text\",\"values\":[\"client\",\"client\",\"deal\","
                         "\"activity\",\"deal\"]");
    cb_string_free(json);
    cb_table_free(history);

    /* Merged, client 2's history is client 1's, with the lost deal and the merge. */
    char *record = NULL;
    CHECK_OK(cb_base_call_mut(base, "merge_clients", "{\"survivor\":1,\"others\":[2]}", &record));
    cb_string_free(record);
    history = NULL;
    CHECK_OK(cb_base_call_table(base, "client_history", "{\"client\":2,\"kinds\":[\"deal_lost\","
                                                        "\"merge\"]}",
                                &history));
    CHECK(cb_table_rows(history) == 2);
    CHECK_OK(cb_table_to_json(history, &json));
    CHECK_CONTAINS(json, "\"values\":[\"deal_lost\",\"merge\"]");
    cb_string_free(json);
    cb_table_free(history);

    /* Bad params are refused with a status naming the field. */
    history = NULL;
    CHECK_STATUS(cb_base_call_table(base, "client_history", "{\"client\":99}", &history),
                 CB_UNKNOWN_ID);
    CHECK(history == NULL);
    CHECK_STATUS(cb_base_call_table(base, "client_history", "{\"client\":1,\"kinds\":[\"x\"]}",
                                    &history),
                 CB_INVALID_VALUE);
    CHECK_CONTAINS(cb_last_error_message(), "kinds");
    CHECK_STATUS(cb_base_call_table(base, "client_history", "{\"clinet\":1}", &history), CB_JSON);
    cb_base_free(base);
}

static void test_history_from_a_base_file(const char *dir)
{
    char path[1200];
    snprintf(path, sizeof path, "%s/history.cb", dir);
    remove(path);
    cb_base *base = NULL;
    CHECK_OK(cb_base_create(path, NULL, &base));
    char *json = NULL;
    CHECK_OK(cb_base_call_mut(base, "set_actor", "{\"actor\":\"Оля\"}", &json));
    cb_string_free(json);
    fill(base);
    /* Petya withdraws the SMS consent and adds a phone. */
    CHECK_OK(cb_base_call_mut(base, "set_actor", "{\"actor\":\"Петя\"}", &json));
    cb_string_free(json);
    CHECK_OK(cb_base_update_json(
        base, "client", "{\"id\":1,\"surname\":\"Иванова\",\"given\":\"Анна\","
              "\"created_at\":\"2024-01-10T09:00:00Z\",\"phones\":[{\"raw\":\"+79161234567\"}],"
              "\"consents\":{\"marketing\":{\"sms\":{\"state\":\"withdrawn\",\"date\":"
              "\"2024-04-01\"}}}}"));
    cb_table *history = NULL;
    CHECK_OK(cb_base_call_table(base, "client_history",
                                "{\"client\":1,\"kinds\":[\"consent_given\",\"consent_withdrawn\","
                                "\"contact_added\"]}",
                                &history));
    CHECK(cb_table_rows(history) == 3);
    json = NULL;
    CHECK_OK(cb_table_to_json(history, &json));
    CHECK_CONTAINS(json, "\"values\":[\"consent_given\",\"consent_withdrawn\",\"contact_added\"]");
    CHECK_CONTAINS(json, "\"values\":[\"Оля\",\"Петя\",\"Петя\"]");
    CHECK_CONTAINS(json, "phone +79161234567");
    cb_string_free(json);
    cb_table_free(history);
    cb_base_free(base);
    remove(path);
}

static void test_report(void)
{
    cb_base *base = NULL;
    CHECK_OK(cb_base_new(NULL, &base));
    fill(base);
    /* The page comes inside a JSON report, with the period it covers. */
    char *html = NULL;
    CHECK_OK(cb_base_call(base, "report_html", "{\"title\":\"Отчёт & <итоги>\"}", &html));
    CHECK_CONTAINS(html, "\"html\":\"<!DOCTYPE html>");
    CHECK_CONTAINS(html, "<title>Отчёт &amp; &lt;итоги&gt;</title>");
    CHECK_CONTAINS(html, "&lt;b&gt;Оля&lt;/b&gt;");
    CHECK(!contains(html, "<b>Оля"));
    CHECK_CONTAINS(html, "1\xc2\xa0" "234\xc2\xa0" "567,89\xc2\xa0\xe2\x82\xbd");
    CHECK_CONTAINS(html, "data-chart=\\\"managers\\\"");
    CHECK_CONTAINS(html, "default-src 'none'");
    CHECK(count(html, "<script") == 1);
    cb_string_free(html);

    char *json = NULL;
    CHECK_OK(cb_base_call(base, "report_html", "{\"sections\":[\"managers\"]}", &json));
    CHECK_CONTAINS(json, "\"sections\":[\"managers\"]");
    CHECK_CONTAINS(json, "\"to\":\"2024-03-11\"");
    cb_string_free(json);

    html = NULL;
    CHECK_STATUS(cb_base_call(base, "report_html", "{\"sections\":[\"pie\"]}", &html), CB_JSON);
    CHECK(html == NULL);
    CHECK_STATUS(cb_base_call(base, "report_html", "{\"from\":\"2025-01-01\",\"to\":\"2024-01-01\"}",
                              &html),
                 CB_INVALID_VALUE);
    CHECK_STATUS(cb_base_call(base, "report_html", NULL, NULL), CB_NULL_PARAMETER);
    CHECK_STATUS(cb_base_call(NULL, "report_html", NULL, &html), CB_NULL_PARAMETER);
    cb_base_free(base);

    /* An empty base renders. */
    CHECK_OK(cb_base_new(NULL, &base));
    CHECK_OK(cb_base_call(base, "report_html", NULL, &html));
    CHECK_CONTAINS(html, "Нет данных");
    cb_string_free(html);
    cb_base_free(base);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: test_history SCRATCH_DIR\n");
        return 2;
    }
    test_history_in_memory();
    test_history_from_a_base_file(argv[1]);
    test_report();
    return ts_finish();
}
