"""Writes base.json: shared vectors that the Rust, C and Python tests all run.

Each step is a flat object of strings: case, op, input, extra, status, output.
The expected outputs are written out by hand here, not captured from a run.
Run: python3 tests/vectors/make_base_vectors.py
"""
import json
import pathlib

STAMP = "2025-01-01T00:00:00Z"
steps = []


def step(case, op, input="", status="ok", output=None, extra=None):
    s = {"case": case, "op": op, "input": input if isinstance(input, str) else json.dumps(input, ensure_ascii=False), "status": status}
    if extra is not None:
        s["extra"] = extra if isinstance(extra, str) else json.dumps(extra, ensure_ascii=False)
    if output is not None:
        s["output"] = output if isinstance(output, str) else json.dumps(output, ensure_ascii=False, separators=(",", ":"))
    steps.append(s)


SCHEMA = {
    "tags": ["opt", "vip"],
    "fields": [
        {"name": "budget", "type": "money", "currency": "RUB"},
        {"name": "floors", "type": "many_of", "options": ["low", "middle", "high"]},
        {"name": "moved_in", "type": "date"},
        {"name": "pet", "type": "one_of", "options": ["cat", "dog"]},
        {"name": "rooms", "type": "integer"},
    ],
}

# --- clients: validation and typed custom fields -------------------------------
c = "clients"
step(c, "new_base", SCHEMA)
step(c, "add_client", {
    "kind": "person", "surname": "Иванов", "given": "Иван", "patronymic": "Иванович",
    "phones": [{"raw": "8 (916) 123-45-67"}], "tags": ["vip"],
    "custom": {"rooms": "3", "budget": "1 500 000,50", "moved_in": "05.03.2021", "floors": "high, low", "pet": "cat"},
}, output="1")
step(c, "get_client", "1", output={
    "id": 1, "kind": "person", "surname": "Иванов", "given": "Иван", "patronymic": "Иванович",
    "created_at": STAMP, "updated_at": STAMP, "stage": "lead", "can_refer": False,
    "phones": [{"raw": "8 (916) 123-45-67"}], "consents": {}, "tags": ["vip"],
    "custom": {"budget": {"amount": "1500000.50", "currency": "RUB"}, "floors": ["high", "low"],
               "moved_in": "2021-03-05", "pet": "cat", "rooms": 3},
})
step(c, "add_client", {"kind": "person", "surname": "Петров", "tags": ["gold"]}, "unknown_tag",
     'unknown tag: new client, field "tags": "gold" is not in the tag vocabulary')
step(c, "add_client", {"kind": "person", "surname": "Петров", "custom": {"rooms": "много"}}, "field_type",
     'wrong field type: new client, field "custom.rooms": expected integer, got text "много"')
step(c, "add_client", {"kind": "person", "surname": "Петров", "custom": {"pet": "parrot"}}, "field_type",
     'wrong field type: new client, field "custom.pet": "parrot" is not one of cat, dog')
step(c, "add_client", {"kind": "person", "surname": "Петров", "custom": {"budget": {"amount": "10", "currency": "USD"}}},
     "currency_mismatch", 'currency mismatch: new client, field "custom.budget": 10.00 USD is not in RUB')
step(c, "add_client", {"kind": "person", "surname": "Петров", "custom": {"budget": "10,005"}}, "invalid_value",
     'invalid value: new client, field "custom.budget": "10,005": more than 2 decimal places')
step(c, "add_client", {"kind": "person", "surname": "Петров", "custom": {"shoe": 42}}, "unknown_field",
     'unknown field: new client, field "custom.shoe": "shoe" is not a declared field')
step(c, "add_client", {"kind": "person", "surname": "Петров", "loyalty_percent": 140}, "invalid_value",
     'invalid value: new client, field "loyalty_percent": 140 is above 100')
step(c, "add_client", {"kind": "person"}, "invalid_value",
     'invalid value: new client, field "name": a person needs a name or at least one contact point')
step(c, "add_client", {"kind": "company", "legal_name": "ООО «Ромашка»", "tax_id": "7707083894"}, "invalid_value",
     'invalid value: new client, field "tax_id": ИНН 7707083894 fails its check digit')
step(c, "add_client", {"kind": "company", "legal_name": "ООО «Ромашка»", "tax_id": "7707083893"}, output="2")
step(c, "add_client", "{", "json", "JSON error: EOF while parsing an object at line 1 column 1")
step(c, "update_client", {"id": 1, "kind": "person", "surname": "Иванов", "given": "Иван", "city": "Москва"})
step(c, "get_client", "1", output={
    "id": 1, "kind": "person", "surname": "Иванов", "given": "Иван", "city": "Москва",
    "created_at": STAMP, "updated_at": STAMP, "stage": "lead", "can_refer": False, "consents": {},
})
step(c, "update_client", {"id": 99, "kind": "person", "surname": "Нет"}, "unknown_id",
     "unknown id: client 99: client 99 does not exist")
step(c, "get_client", "99", "unknown_id", "unknown id: client 99: client 99 does not exist")
step(c, "counts", output={"clients": 2, "persons": 1, "companies": 1, "deals": 0, "open_deals": 0,
                           "deal_lines": 0, "activities": 0, "open_tasks": 0})

# --- schema declarations ---------------------------------------------------------
s = "schema"
step(s, "new_base", {})
step(s, "declare_tag", "vip")
step(s, "declare_tag", "a,b", "schema",
     'invalid schema: tag name "a,b" contains a list separator (, ; |) or a control character')
step(s, "declare_field", {"name": "rooms", "type": "integer"})
step(s, "declare_field", {"name": "rooms", "type": "text"}, "schema",
     'invalid schema: field "rooms" is already declared differently')
step(s, "declare_field", {"name": "kind", "type": "one_of", "options": []}, "schema",
     'invalid schema: field "kind" has no options')
step(s, "add_client", {"kind": "person", "given": "Анна", "tags": ["vip"], "custom": {"rooms": 2}}, output="1")

# --- relations ---------------------------------------------------------------------
r = "relations"
step(r, "new_base", {})
step(r, "add_client", {"kind": "company", "legal_name": "АО «Вектор»"}, output="1")
step(r, "add_client", {"kind": "person", "surname": "Иванова", "given": "Анна"}, output="2")
step(r, "add_client", {"kind": "person", "surname": "Иванов", "given": "Пётр",
                       "relations": [{"kind": "spouse", "to": 2}, {"kind": "employee_of", "to": 1}]}, output="3")
step(r, "add_client", {"kind": "person", "surname": "Сидоров", "relations": [{"kind": "employee_of", "to": 2}]},
     "invalid_value", 'invalid value: new client, field "relations[0]": employee_of must point at a company, client 2 is a person')
step(r, "add_client", {"kind": "person", "surname": "Сидоров", "relations": [{"kind": "friend", "to": 9}]},
     "unknown_id", 'unknown id: new client, field "relations[0]": client 9 does not exist')

# --- deals and activities ------------------------------------------------------------
d = "deals"
step(d, "new_base", {})
step(d, "add_client", {"kind": "person", "surname": "Кузнецова", "given": "Мария"}, output="1")
step(d, "add_client", {"kind": "person", "surname": "Попов", "given": "Олег"}, output="2")
step(d, "add_deal", {"client": 1, "title": "Корм на полгода", "amount": {"amount": "4900", "currency": "RUB"},
                     "lines": [{"product": "Корм 10 кг", "category": "корма", "quantity": "2",
                                "unit_price": {"amount": "2450", "currency": "RUB"}}],
                     "recurrence": {"every": 1, "period": "month", "day": 5}}, output="1")
step(d, "get_deal", "1", output={
    "id": 1, "client": 1, "title": "Корм на полгода", "pipeline": "default", "stage": "new", "status": "open",
    "amount": {"amount": "4900.00", "currency": "RUB"}, "created_at": STAMP,
    "lines": [{"product": "Корм 10 кг", "category": "корма", "quantity": "2",
               "unit_price": {"amount": "2450.00", "currency": "RUB"}}],
    "recurrence": {"every": 1, "period": "month", "day": 5},
})
step(d, "add_deal", {"client": 5, "amount": {"amount": "1", "currency": "RUB"}}, "unknown_id",
     'unknown id: new deal, field "client": client 5 does not exist')
step(d, "add_deal", {"client": 1, "amount": {"amount": "10", "currency": "RUB"},
                     "lines": [{"product": "x", "quantity": "1", "unit_price": {"amount": "10", "currency": "USD"}}]},
     "currency_mismatch", 'currency mismatch: new deal, field "lines[0].unit_price": 10.00 USD is not in the deal\'s currency RUB')
step(d, "add_deal", {"client": 1, "amount": {"amount": "1", "currency": "RUB"}, "recurrence": {"every": 1, "period": "month", "day": 32}},
     "invalid_value", 'invalid value: new deal, field "recurrence.day": day 32 is not 1 to 31')
step(d, "add_deal", {"client": 1, "status": {"duplicate_of": 1}, "amount": {"amount": "4900", "currency": "RUB"}}, output="2")
step(d, "get_deal", "2", output={
    "id": 2, "client": 1, "pipeline": "default", "stage": "new", "status": {"duplicate_of": 1},
    "amount": {"amount": "4900.00", "currency": "RUB"}, "created_at": STAMP,
})
step(d, "update_deal", {"id": 1, "client": 1, "status": "won", "stage": "paid", "amount": {"amount": "4900", "currency": "RUB"},
                        "closed_at": "2025-01-02T12:00:00Z",
                        "lines": [{"product": "Корм 10 кг", "quantity": "2", "unit_price": {"amount": "2450", "currency": "RUB"}}]})
step(d, "update_deal", {"id": 7, "client": 1, "amount": {"amount": "1", "currency": "RUB"}}, "unknown_id",
     "unknown id: deal 7: deal 7 does not exist")
step(d, "add_activity", {"client": 1, "kind": "call", "at": "2025-01-01T10:00:00Z", "direction": "outbound",
                         "outcome": "договорились", "deal": 1}, output="1")
step(d, "get_activity", "1", output={"id": 1, "client": 1, "kind": "call", "at": "2025-01-01T10:00:00Z",
                                     "direction": "outbound", "outcome": "договорились", "deal": 1, "done": False})
step(d, "add_activity", {"client": 2, "kind": "call", "at": "2025-01-01T10:00:00Z", "deal": 1}, "invalid_value",
     'invalid value: new activity, field "deal": deal 1 belongs to client 1, not client 2')
step(d, "add_activity", {"client": 2, "kind": "note", "at": "2025-01-01T10:00:00Z", "due": "2025-01-03T10:00:00Z"},
     "invalid_value", 'invalid value: new activity, field "due": only tasks have a due date')
step(d, "add_activity", {"client": 2, "kind": "task", "at": "2025-01-01T10:00:00Z", "due": "2025-01-03T10:00:00Z",
                         "text": "Перезвонить"}, output="2")
step(d, "update_activity", {"id": 2, "client": 2, "kind": "task", "at": "2025-01-01T10:00:00Z",
                            "due": "2025-01-03T10:00:00Z", "text": "Перезвонить", "done": True})
step(d, "counts", output={"clients": 2, "persons": 2, "companies": 0, "deals": 2, "open_deals": 0,
                          "deal_lines": 1, "activities": 2, "open_tasks": 0})

# --- CSV import: a 1C-style export with quirks ---------------------------------------
i = "csv_import"
step(i, "new_base", {"tags": ["vip", "опт"], "fields": [{"name": "budget", "type": "money", "currency": "RUB"}]})
CSV = ("\ufeffФамилия;Имя;Телефон;Дата рождения;Теги;Бюджет;Примечание\n"
       "Иванов;Иван;8 (916) 123-45-67;05.03.1985;vip;1 500,50;первый\n"
       "Петрова;Анна;+7 812 555-12-12;31.02.1990;;;дата с ошибкой\n"
       "Сидоров;Олег;;;gold;;тег не из словаря\n"
       ";;;;;;\n"
       "\"Смирнова\";\"Ольга\";;1.1.2000;\"vip; опт\";\"10\";\"многострочное\nпримечание\"\n"
       "Кузнецов;Пётр;;;;много;бюджет не число\n")
MAPPING = {"Фамилия": "surname", "Имя": "given_name", "Телефон": "phone", "Дата рождения": "birthday",
           "Теги": "tags", "Бюджет": "custom.budget"}
# A cell that cannot be used is set aside and its row kept.
step(i, "import_clients_csv", CSV, extra=MAPPING, output={
    "rows": 6, "imported": [1, 2, 3, 4, 5],
    "rejected": [],
    "set_aside": [
        {"line": 3, "column": "Дата рождения", "field": "birthday", "kind": "invalid_value",
         "reason": '"31.02.1990" is not a calendar date'},
        {"line": 4, "column": "Теги", "field": "tags", "kind": "unknown_tag",
         "reason": '"gold" is not in the tag vocabulary'},
        {"line": 8, "column": "Бюджет", "field": "custom.budget", "kind": "invalid_value",
         "reason": '"много" is not an amount'},
    ],
    "empty_rows": 1, "ignored_columns": ["Примечание"], "imported_lines": [2, 3, 4, 6, 8],
})
step(i, "get_client", "2", output={
    "id": 2, "kind": "person", "surname": "Петрова", "given": "Анна",
    "created_at": STAMP, "updated_at": STAMP, "stage": "lead", "can_refer": False,
    "phones": [{"raw": "+7 812 555-12-12"}], "consents": {},
})
step(i, "get_client", "4", output={
    "id": 4, "kind": "person", "surname": "Смирнова", "given": "Ольга", "birthday": "2000-01-01",
    "created_at": STAMP, "updated_at": STAMP, "stage": "lead", "can_refer": False, "consents": {},
    "tags": ["vip", "опт"], "custom": {"budget": {"amount": "10.00", "currency": "RUB"}},
})
step(i, "import_clients_csv", "Фамилия\nИванов\n", "csv", extra={"Фамилия": "surname", "Телефон": "phone"})

# --- whole-base JSON ----------------------------------------------------------------
e = "export"
step(e, "new_base", {"tags": ["vip"]})
step(e, "add_client", {"kind": "person", "given": "Ольга", "emails": [{"raw": "olga@example.ru"}], "tags": ["vip"]}, output="1")
step(e, "export_json", output={
    "format": "clientbase", "version": 1, "schema": {"tags": ["vip"], "fields": []},
    "next_ids": {"client": 2, "deal": 1, "activity": 1},
    "clients": [{"id": 1, "kind": "person", "given": "Ольга", "created_at": STAMP, "updated_at": STAMP,
                 "stage": "lead", "can_refer": False, "emails": [{"raw": "olga@example.ru"}], "consents": {},
                 "tags": ["vip"]}],
    "deals": [], "activities": [],
})

out = pathlib.Path(__file__).with_name("base.json")
out.write_text(json.dumps(steps, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
print(f"wrote {len(steps)} steps to {out}")
