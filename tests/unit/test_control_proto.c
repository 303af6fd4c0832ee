/* SPDX-License-Identifier: MIT */
/* Control protocol wire format: line framing, request parsing, typed arguments, replies. */
#include <criterion/criterion.h>
#include <string.h>

#include "vmm/control/json_proto.h"

static int next_line(struct line_buf *b, char **line, size_t *len)
{
	return line_buf_next(b, line, len);
}

Test(control_linebuf, returns_complete_lines_in_order_without_newline)
{
	struct line_buf b;
	char *line;
	size_t len;
	line_buf_init(&b, 100);
	cr_assert_eq(line_buf_append(&b, "one\ntwo\nthr", 11), 0);
	cr_assert_eq(next_line(&b, &line, &len), 1);
	cr_assert_str_eq(line, "one");
	cr_assert_eq(len, 3);
	cr_assert_eq(next_line(&b, &line, &len), 1);
	cr_assert_str_eq(line, "two");
	cr_assert_eq(next_line(&b, &line, &len), 0, "a partial line waits for its newline");
	cr_assert_eq(line_buf_pending(&b), 3);
	line_buf_append(&b, "ee\n", 3);
	cr_assert_eq(next_line(&b, &line, &len), 1);
	cr_assert_str_eq(line, "three");
	line_buf_free(&b);
}

Test(control_linebuf, strips_a_carriage_return_before_the_newline)
{
	struct line_buf b;
	char *line;
	size_t len;
	line_buf_init(&b, 100);
	line_buf_append(&b, "{\"cmd\":\"stats\"}\r\n", 17);
	cr_assert_eq(next_line(&b, &line, &len), 1);
	cr_assert_str_eq(line, "{\"cmd\":\"stats\"}");
	line_buf_free(&b);
}

Test(control_linebuf, empty_line_is_returned_as_empty)
{
	struct line_buf b;
	char *line;
	size_t len;
	line_buf_init(&b, 100);
	line_buf_append(&b, "\n", 1);
	cr_assert_eq(next_line(&b, &line, &len), 1);
	cr_assert_eq(len, 0);
	line_buf_free(&b);
}

Test(control_linebuf, complete_line_longer_than_the_limit_is_refused)
{
	struct line_buf b;
	char *line;
	size_t len;
	char big[40];
	memset(big, 'x', sizeof(big));
	big[39] = '\n';
	line_buf_init(&b, 16);
	line_buf_append(&b, big, sizeof(big));
	cr_assert_eq(next_line(&b, &line, &len), -1);
	line_buf_free(&b);
}

Test(control_linebuf, unfinished_line_longer_than_the_limit_is_refused_without_waiting)
{
	struct line_buf b;
	char *line;
	size_t len;
	char big[40];
	memset(big, 'x', sizeof(big));
	line_buf_init(&b, 16);
	line_buf_append(&b, big, sizeof(big));
	cr_assert_eq(next_line(&b, &line, &len), -1,
		     "a peer must not make the server buffer without a newline");
	line_buf_free(&b);
}

Test(control_linebuf, line_of_exactly_the_limit_is_accepted)
{
	struct line_buf b;
	char *line;
	size_t len;
	char buf[17];
	memset(buf, 'a', 16);
	buf[16] = '\n';
	line_buf_init(&b, 16);
	line_buf_append(&b, buf, sizeof(buf));
	cr_assert_eq(next_line(&b, &line, &len), 1);
	cr_assert_eq(len, 16);
	line_buf_free(&b);
}

static enum proto_err parse(const char *s, struct proto_request *req, char *msg, size_t len)
{
	return proto_parse_request(s, strlen(s), req, msg, len);
}

Test(control_proto, valid_request_exposes_id_cmd_and_args)
{
	struct proto_request req;
	char msg[256];
	cr_assert_eq(parse("{\"id\":7,\"cmd\":\"inject\",\"args\":{\"irq\":4}}", &req, msg,
			   sizeof(msg)), PROTO_OK);
	cr_assert_str_eq(req.cmd, "inject");
	cr_assert_eq(json_integer_value(req.id), 7);
	cr_assert_eq(json_integer_value(json_object_get(req.args, "irq")), 4);
	proto_request_free(&req);
}

Test(control_proto, missing_args_become_an_empty_object)
{
	struct proto_request req;
	char msg[256];
	cr_assert_eq(parse("{\"cmd\":\"stats\"}", &req, msg, sizeof(msg)), PROTO_OK);
	cr_assert(json_is_object(req.args));
	cr_assert_eq(json_object_size(req.args), 0);
	cr_assert(json_is_null(req.id), "an absent id is null");
	proto_request_free(&req);
}

Test(control_proto, string_id_is_kept)
{
	struct proto_request req;
	char msg[256];
	cr_assert_eq(parse("{\"id\":\"abc\",\"cmd\":\"query\"}", &req, msg, sizeof(msg)), PROTO_OK);
	cr_assert_str_eq(json_string_value(req.id), "abc");
	proto_request_free(&req);
}

Test(control_proto, garbage_is_a_parse_error)
{
	struct proto_request req;
	char msg[256];
	cr_assert_eq(parse("hello world", &req, msg, sizeof(msg)), PROTO_E_PARSE);
	cr_assert(json_is_null(req.id));
	proto_request_free(&req);
}

Test(control_proto, embedded_nul_byte_is_a_parse_error)
{
	struct proto_request req;
	char msg[256];
	const char line[] = "{\"cmd\":\"st\0ats\"}";
	cr_assert_eq(proto_parse_request(line, sizeof(line) - 1, &req, msg, sizeof(msg)),
		     PROTO_E_PARSE);
	proto_request_free(&req);
}

Test(control_proto, duplicate_keys_are_refused)
{
	struct proto_request req;
	char msg[256];
	cr_assert_eq(parse("{\"cmd\":\"stats\",\"cmd\":\"quit\"}", &req, msg, sizeof(msg)),
		     PROTO_E_PARSE);
	proto_request_free(&req);
}

Test(control_proto, json_that_is_not_an_object_is_an_invalid_request)
{
	struct proto_request req;
	char msg[256];
	cr_assert_eq(parse("[1,2,3]", &req, msg, sizeof(msg)), PROTO_E_INVALID_REQUEST);
	proto_request_free(&req);
}

Test(control_proto, missing_or_empty_cmd_is_an_invalid_request_that_keeps_the_id)
{
	struct proto_request req;
	char msg[256];
	cr_assert_eq(parse("{\"id\":3}", &req, msg, sizeof(msg)), PROTO_E_INVALID_REQUEST);
	cr_assert_eq(json_integer_value(req.id), 3, "the error reply can still name the request");
	proto_request_free(&req);
	cr_assert_eq(parse("{\"id\":3,\"cmd\":\"\"}", &req, msg, sizeof(msg)),
		     PROTO_E_INVALID_REQUEST);
	proto_request_free(&req);
	cr_assert_eq(parse("{\"cmd\":5}", &req, msg, sizeof(msg)), PROTO_E_INVALID_REQUEST);
	proto_request_free(&req);
}

Test(control_proto, unknown_request_member_is_refused)
{
	struct proto_request req;
	char msg[256];
	cr_assert_eq(parse("{\"cmd\":\"stats\",\"argz\":{}}", &req, msg, sizeof(msg)),
		     PROTO_E_INVALID_REQUEST);
	cr_assert(strstr(msg, "argz"), "message names the member: %s", msg);
	proto_request_free(&req);
}

Test(control_proto, args_that_are_not_an_object_are_refused)
{
	struct proto_request req;
	char msg[256];
	cr_assert_eq(parse("{\"cmd\":\"stats\",\"args\":[1]}", &req, msg, sizeof(msg)),
		     PROTO_E_INVALID_REQUEST);
	proto_request_free(&req);
}

Test(control_proto, id_of_a_wrong_type_is_refused)
{
	struct proto_request req;
	char msg[256];
	cr_assert_eq(parse("{\"id\":[1],\"cmd\":\"stats\"}", &req, msg, sizeof(msg)),
		     PROTO_E_INVALID_REQUEST);
	proto_request_free(&req);
}

static json_t *args_of(const char *s)
{
	return json_loads(s, 0, NULL);
}

Test(control_proto, unknown_argument_is_refused_by_name)
{
	static const char *const allowed[] = { "irq", "level", NULL };
	json_t *a = args_of("{\"irq\":4,\"levle\":\"high\"}");
	char msg[256];
	cr_assert_eq(proto_args_only(a, allowed, msg, sizeof(msg)), -1);
	cr_assert(strstr(msg, "levle") && strstr(msg, "level"), "%s", msg);
	json_decref(a);
}

Test(control_proto, u64_argument_accepts_integers_and_c_syntax_strings)
{
	json_t *a = args_of("{\"v\":64,\"h\":\"0x40\",\"d\":\"64\"}");
	char msg[256];
	uint64_t x;
	cr_assert_eq(proto_arg_u64(a, "v", 255, &x, msg, sizeof(msg)), 1);
	cr_assert_eq(x, 64);
	cr_assert_eq(proto_arg_u64(a, "h", 255, &x, msg, sizeof(msg)), 1);
	cr_assert_eq(x, 64);
	cr_assert_eq(proto_arg_u64(a, "d", 255, &x, msg, sizeof(msg)), 1);
	cr_assert_eq(x, 64);
	cr_assert_eq(proto_arg_u64(a, "absent", 255, &x, msg, sizeof(msg)), 0);
	json_decref(a);
}

Test(control_proto, u64_argument_refuses_negative_fractional_oversized_and_junk)
{
	json_t *a = args_of("{\"neg\":-1,\"sneg\":\"-1\",\"frac\":1.5,\"big\":300,\"junk\":\"12x\","
			    "\"space\":\" 5\"}");
	char msg[256];
	uint64_t x;
	cr_assert_eq(proto_arg_u64(a, "neg", 255, &x, msg, sizeof(msg)), -1);
	cr_assert(strstr(msg, "negative"), "%s", msg);
	cr_assert_eq(proto_arg_u64(a, "sneg", 255, &x, msg, sizeof(msg)), -1);
	cr_assert_eq(proto_arg_u64(a, "frac", 255, &x, msg, sizeof(msg)), -1);
	cr_assert_eq(proto_arg_u64(a, "big", 255, &x, msg, sizeof(msg)), -1);
	cr_assert(strstr(msg, "maximum"), "%s", msg);
	cr_assert_eq(proto_arg_u64(a, "junk", 255, &x, msg, sizeof(msg)), -1);
	cr_assert_eq(proto_arg_u64(a, "space", 255, &x, msg, sizeof(msg)), -1);
	json_decref(a);
}

Test(control_proto, string_and_bool_arguments_check_their_type)
{
	json_t *a = args_of("{\"s\":\"x\",\"n\":1,\"b\":true}");
	char msg[256];
	const char *s;
	bool b;
	cr_assert_eq(proto_arg_string(a, "s", &s, msg, sizeof(msg)), 1);
	cr_assert_str_eq(s, "x");
	cr_assert_eq(proto_arg_string(a, "n", &s, msg, sizeof(msg)), -1);
	cr_assert_eq(proto_arg_bool(a, "b", &b, msg, sizeof(msg)), 1);
	cr_assert(b);
	cr_assert_eq(proto_arg_bool(a, "s", &b, msg, sizeof(msg)), -1);
	json_decref(a);
}

Test(control_proto, ok_reply_is_one_line_with_the_id_echoed)
{
	json_t *id = json_string("req-1");
	char *line = proto_reply_ok(id, json_pack("{s:i}", "n", 3));
	cr_assert_not_null(line);
	size_t n = strlen(line);
	cr_assert_eq(line[n - 1], '\n');
	cr_assert_null(memchr(line, '\n', n - 1), "exactly one line");
	json_t *v = json_loads(line, 0, NULL);
	cr_assert_str_eq(json_string_value(json_object_get(v, "id")), "req-1");
	cr_assert(json_is_true(json_object_get(v, "ok")));
	cr_assert_eq(json_integer_value(json_object_get(json_object_get(v, "result"), "n")), 3);
	json_decref(v);
	json_decref(id);
	free(line);
}

Test(control_proto, error_reply_carries_code_and_message)
{
	char *line = proto_reply_error(NULL, PROTO_E_OUT_OF_RANGE, "CPU %d is out of range", 9);
	json_t *v = json_loads(line, 0, NULL);
	json_t *e = json_object_get(v, "error");
	cr_assert(json_is_false(json_object_get(v, "ok")));
	cr_assert(json_is_null(json_object_get(v, "id")));
	cr_assert_str_eq(json_string_value(json_object_get(e, "code")), "out_of_range");
	cr_assert_str_eq(json_string_value(json_object_get(e, "message")), "CPU 9 is out of range");
	json_decref(v);
	free(line);
}

Test(control_proto, error_reply_survives_a_message_that_is_not_utf8)
{
	char *line = proto_reply_error(NULL, PROTO_E_PARSE, "bad byte \xff here");
	cr_assert_not_null(line);
	json_t *v = json_loads(line, 0, NULL);
	cr_assert_not_null(v, "still valid JSON: %s", line);
	json_decref(v);
	free(line);
}

Test(control_proto, event_has_a_name_and_data_but_no_id)
{
	char *line = proto_event("storm_finished", json_pack("{s:i}", "storm", 2));
	json_t *v = json_loads(line, 0, NULL);
	cr_assert_str_eq(json_string_value(json_object_get(v, "event")), "storm_finished");
	cr_assert_null(json_object_get(v, "id"));
	cr_assert_eq(json_integer_value(json_object_get(json_object_get(v, "data"), "storm")), 2);
	json_decref(v);
	free(line);
}

Test(control_proto, every_error_has_a_distinct_code_string)
{
	for (int a = PROTO_E_PARSE; a <= PROTO_E_INTERNAL; a++)
		for (int b = a + 1; b <= PROTO_E_INTERNAL; b++)
			cr_assert_str_neq(proto_err_code((enum proto_err)a),
					  proto_err_code((enum proto_err)b));
}

Test(control_proto, request_line_round_trips_through_the_parser)
{
	json_t *id = json_integer(42);
	char *line = proto_request_line(id, "msi", json_pack("{s:i,s:i}", "cpu", 1, "vector", 64));
	struct proto_request req;
	char msg[256];
	cr_assert_eq(proto_parse_request(line, strlen(line) - 1, &req, msg, sizeof(msg)), PROTO_OK);
	cr_assert_str_eq(req.cmd, "msi");
	cr_assert_eq(json_integer_value(req.id), 42);
	proto_request_free(&req);
	json_decref(id);
	free(line);
}
