/*
 * Views restricted by role from C: a manager's view (`cb_base_view`) sees
 * only their own client with masked contacts, a relative's open deal only as
 * owned by someone else, exports the policy forbids are CB_FORBIDDEN with the
 * reason, allowed ones are logged in the base file's change log with the
 * actor and count, and the view follows the base's writes. The scratch
 * directory is the first argument.
 */
#include "testsupport.h"

static int contains(const char *text, const char *needle)
{
    return text != NULL && strstr(text, needle) != NULL;
}

#define CHECK_CONTAINS(text, needle)                                                       \
    ts_check(contains((text), (needle)), __FILE__, __LINE__, "contains " #needle, (text))
#define CHECK_LACKS(text, needle)                                                          \
    ts_check(!contains((text), (needle)), __FILE__, __LINE__, "lacks " #needle, (text))

static const char *POLICY =
    "{\"roles\":{\"manager\":{\"clients\":\"own\",\"contacts\":\"masked\","
    "\"forbid_exports\":[\"csv\",\"json\"],\"export_reason\":\"managers do not take the base home\"},"
    "\"head\":{\"clients\":\"all\",\"contacts\":\"full\"}},"
    "\"actors\":{\"anna\":{\"role\":\"manager\",\"owns\":[\"Анна\"]},\"boss\":{\"role\":\"head\"}}}";

static void fill(cb_base *base)
{
    uint64_t id = 0;
    CHECK_OK(cb_base_add_json(
        base, "client",
        "{\"surname\":\"Смирнова\",\"given\":\"Ольга\",\"owner\":\"Анна\","
        "\"phones\":[\"+79161234567\"],\"emails\":[\"olga.smirnova@mail.ru\"]}",
        &id));
    CHECK(id == 1);
    CHECK_OK(cb_base_add_json(
        base, "client",
        "{\"surname\":\"Смирнов\",\"given\":\"Игорь\",\"owner\":\"Борис\","
        "\"phones\":[\"+79167654321\"],\"relations\":[{\"kind\":\"spouse\",\"to\":1}]}",
        &id));
    CHECK(id == 2);
    CHECK_OK(cb_base_add_json(
        base, "deal", "{\"client\":1,\"amount\":{\"amount\":\"100\",\"currency\":\"RUB\"}}", &id));
    CHECK_OK(cb_base_add_json(
        base, "deal", "{\"client\":2,\"owner\":\"Борис\",\"amount\":{\"amount\":\"200\",\"currency\":\"RUB\"}}",
        &id));
}

static void test_a_managers_view(const char *dir)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/access.cb", dir);
    cb_base *base = NULL;
    CHECK_OK(cb_base_create(path, NULL, &base));
    fill(base);

    cb_view *view = NULL;
    CHECK_OK(cb_base_view(base, "anna", POLICY, &view));

    char *json = NULL;
    CHECK_OK(cb_view_call(view, base, "clients_table", "{\"fields\":[\"id\",\"surname\",\"phones_json\",\"emails_json\"]}", &json));
    CHECK_CONTAINS(json, "Смирнова");
    CHECK_CONTAINS(json, "+7 916 ***-**-67");
    CHECK_CONTAINS(json, "o***@mail.ru");
    CHECK_LACKS(json, "Игорь");
    CHECK_LACKS(json, "Смирнов\"");
    CHECK_LACKS(json, "1234567");
    cb_string_free(json);

    cb_table *table = NULL;
    CHECK_OK(cb_view_call_table(view, base, "deals_table", NULL, &table));
    CHECK(cb_table_rows(table) == 1);
    cb_table_free(table);

    json = NULL;
    CHECK_OK(cb_view_call(view, base, "open_deals_owners", "{\"client\":1}", &json));
    CHECK_STR(json, "[{\"client\":1,\"deal\":1,\"owner\":\"Анна\",\"visible\":true},"
                    "{\"client\":null,\"deal\":null,\"owner\":\"Борис\",\"visible\":false}]");
    cb_string_free(json);

    /* The history of a client in the view has the change log's contact events,
     * masked as the role's contacts are. */
    CHECK_OK(cb_base_update_json(
        base, "client",
        "{\"id\":1,\"surname\":\"Смирнова\",\"given\":\"Ольга\",\"owner\":\"Анна\","
        "\"phones\":[\"+79161234567\",\"+79169998877\"],\"emails\":[\"olga.smirnova@mail.ru\"]}"));
    json = NULL;
    CHECK_OK(cb_view_call(view, base, "client_history", "{\"client\":1}", &json));
    CHECK_CONTAINS(json, "\"contact_added\"");
    CHECK_CONTAINS(json, "phone +7 916 ***-**-77");
    CHECK_LACKS(json, "9998877");
    cb_string_free(json);

    /* A client outside the view is as unknown as one that does not exist. */
    json = NULL;
    CHECK_STATUS(cb_view_call(view, base, "client_history", "{\"client\":2}", &json), CB_UNKNOWN_ID);
    CHECK(json == NULL);

    /* Forbidden: CSV and JSON exports, writes, the change log. */
    char *csv = NULL;
    CHECK_STATUS(cb_view_export_clients_csv(view, base, &csv), CB_FORBIDDEN);
    CHECK_CONTAINS(cb_last_error_message(), "managers do not take the base home");
    CHECK(csv == NULL);
    CHECK_STATUS(cb_view_to_json(view, base, &json), CB_FORBIDDEN);
    CHECK_STATUS(cb_view_call(view, base, "set_actor", "{\"actor\":\"x\"}", &json), CB_FORBIDDEN);
    CHECK_STATUS(cb_view_call(view, base, "changes", NULL, &json), CB_FORBIDDEN);
    CHECK(json == NULL);

    json = NULL;
    CHECK_OK(cb_view_grant_json(view, &json));
    CHECK_CONTAINS(json, "\"role\":\"manager\"");
    CHECK_CONTAINS(json, "\"clients\":\"own\"");
    cb_string_free(json);

    /* A write on the base reaches the view. */
    uint64_t id = 0;
    CHECK_OK(cb_base_add_json(base, "client", "{\"surname\":\"Новая\",\"owner\":\"Анна\"}", &id));
    json = NULL;
    CHECK_OK(cb_view_call(view, base, "counts", NULL, &json));
    CHECK_CONTAINS(json, "\"clients\":2");
    cb_string_free(json);

    /* The head sees everything and exports CSV. */
    cb_view *head = NULL;
    CHECK_OK(cb_base_view(base, "boss", POLICY, &head));
    json = NULL;
    CHECK_OK(cb_view_call(head, base, "client_history", "{\"client\":1}", &json));
    CHECK_CONTAINS(json, "phone +79169998877");
    cb_string_free(json);
    csv = NULL;
    CHECK_OK(cb_view_export_clients_csv(head, base, &csv));
    CHECK_CONTAINS(csv, "Игорь");
    cb_string_free(csv);

    /* The change log names who exported how many records. */
    json = NULL;
    CHECK_OK(cb_base_call(base, "changes", "{\"actor\":\"anna\"}", &json));
    CHECK_CONTAINS(json, "\"action\":\"clients_table\"");
    CHECK_CONTAINS(json, "\"exported\":1");
    cb_string_free(json);
    json = NULL;
    CHECK_OK(cb_base_call(base, "changes", "{\"actor\":\"boss\"}", &json));
    CHECK_CONTAINS(json, "\"action\":\"export_clients_csv\"");
    CHECK_CONTAINS(json, "\"exported\":3");
    cb_string_free(json);

    cb_view_free(head);
    cb_view_free(view);
    cb_base_free(base);
}

static void test_bad_policies_and_arguments(void)
{
    cb_base *base = NULL;
    CHECK_OK(cb_base_new(NULL, &base));
    cb_view *view = NULL;
    CHECK_STATUS(cb_base_view(base, "anna", "{\"roles\":{\"m\":{\"scope\":\"own\"}}}", &view), CB_JSON);
    CHECK_CONTAINS(cb_last_error_message(), "scope");
    CHECK_STATUS(cb_base_view(base, "anna", "{\"actors\":{\"anna\":{\"role\":\"x\"}}}", &view),
                 CB_INVALID_VALUE);
    CHECK_STATUS(cb_base_view(base, "stranger", POLICY, &view), CB_FORBIDDEN);
    CHECK_STATUS(cb_base_view(base, "anna", "not json", &view), CB_JSON);
    CHECK(view == NULL);
    CHECK_STATUS(cb_base_view(NULL, "anna", POLICY, &view), CB_NULL_PARAMETER);
    CHECK_STATUS(cb_base_view(base, NULL, POLICY, &view), CB_NULL_PARAMETER);
    CHECK_OK(cb_base_view(base, "anna", POLICY, &view));
    char *json = NULL;
    CHECK_STATUS(cb_view_call(view, NULL, "counts", NULL, &json), CB_NULL_PARAMETER);
    CHECK_STATUS(cb_view_call(NULL, base, "counts", NULL, &json), CB_NULL_PARAMETER);
    CHECK_STATUS(cb_view_call(view, base, "counts", "{\"x\":1}", &json), CB_JSON);
    cb_table *table = NULL;
    CHECK_STATUS(cb_view_call_table(view, base, "counts", NULL, &table), CB_INVALID_VALUE);
    CHECK(table == NULL);
    cb_view_free(view);
    cb_view_free(NULL);
    cb_base_free(base);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: test_access SCRATCH_DIR\n");
        return 2;
    }
    test_a_managers_view(argv[1]);
    test_bad_policies_and_arguments();
    return ts_finish();
}
