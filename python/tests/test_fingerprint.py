from djperf_capture import fingerprint


def test_literals_and_placeholders_become_question_marks():
    assert fingerprint("SELECT * FROM t WHERE a = %s AND b = 'x''y' AND c = 3.5e2 LIMIT 21") == (
        "SELECT * FROM t WHERE a = ? AND b = ? AND c = ? LIMIT ?"
    )
    assert fingerprint("SELECT * FROM t WHERE a = %(name)s OR b = $2 OR c = ?") == (
        "SELECT * FROM t WHERE a = ? OR b = ? OR c = ?"
    )
    assert fingerprint(r"SELECT 'it\'s', -1") == "SELECT ?, -?"


def test_quoted_identifiers_and_names_with_digits_stay():
    sql = 'SELECT "t1"."col_2", `my``table`.x, T3.id FROM "shop_book" T3 WHERE "a b" = %s'
    assert fingerprint(sql) == 'SELECT "t1"."col_2", `my``table`.x, T3.id FROM "shop_book" T3 WHERE "a b" = ?'


def test_in_lists_and_values_rows_collapse():
    assert fingerprint('SELECT 1 FROM t WHERE "id" IN (%s, %s, %s)') == 'SELECT ? FROM t WHERE "id" IN (...)'
    assert fingerprint('SELECT 1 FROM t WHERE "id" IN (%s)') == 'SELECT ? FROM t WHERE "id" IN (...)'
    assert fingerprint("INSERT INTO t (a, b) VALUES (%s, %s), (%s, %s), (%s, %s)") == (
        "INSERT INTO t (a, b) VALUES (...)"
    )
    # a subquery is not a list of literals
    assert fingerprint("SELECT 1 FROM t WHERE id IN (SELECT id FROM u)") == (
        "SELECT ? FROM t WHERE id IN (SELECT id FROM u)"
    )


def test_whitespace_is_folded():
    assert fingerprint("  SELECT\n\t a ,b\n FROM t  ") == "SELECT a ,b FROM t"


def test_same_shape_same_fingerprint():
    a = fingerprint('SELECT "x"."id" FROM "x" WHERE "x"."id" = 4 LIMIT 21')
    b = fingerprint('SELECT "x"."id" FROM "x" WHERE "x"."id" = 17 LIMIT 21')
    assert a == b
