//! djperf: static analysis of Django ORM performance problems.
