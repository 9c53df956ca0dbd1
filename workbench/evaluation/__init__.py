"""What happens to a standard once it is in force (指引（十二）、（十三）、（十五）; 《标准化法》第二十九条):
implementation feedback (feedback.py), periodic review and evaluation plans (reviews.py), the
evaluation record and the follow-up its conclusion creates (facts.py, records.py), TC548's
coordination report across rules (coordination.py, pure; coordination_report.py), and the
adoption of group standards as recommended national standards (eligibility.py, pure;
adoption.py, attachments.py)."""
