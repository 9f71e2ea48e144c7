"""Quizzes: a poll with one right answer the viewers learn at the end; each right answerer may win its own
single-use voucher code."""
