"""Cases from outside: public submissions and Open311 posts, their uploads and rate limits."""
