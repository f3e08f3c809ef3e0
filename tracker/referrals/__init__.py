"""Platform project: projects, referrals and queue, enrolment, activities."""
