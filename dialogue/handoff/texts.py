"""What the supplier is told during a handoff, in their language."""

from __future__ import annotations

_NOTICES: dict[str, tuple[str, str]] = {
    "claimed": (
        "{agent} from our team has taken over your conversation and will reply here.",
        "我们的同事 {agent} 已接手您的对话，会在这里回复您。",
    ),
    "taken_over": (
        "{agent} from our team has joined the conversation and will reply here.",
        "我们的同事 {agent} 已加入对话，会在这里回复您。",
    ),
    "transferred": (
        "Your conversation has been passed to {agent}, who will reply here.",
        "您的对话已转交给 {agent}，他/她会在这里回复您。",
    ),
    "unassigned": (
        "Your conversation is waiting for the next available colleague.",
        "您的对话正在等待下一位客服同事接手。",
    ),
    "resolved": (
        "{agent} has closed this conversation. I am the bot again: ask me about orders, invoices or stock.",
        "{agent} 已结束本次对话。接下来由机器人为您服务：可以向我查询订单、发票或库存。",
    ),
    "returned": (
        "{agent} has handed the conversation back to me, the bot. How can I help?",
        "{agent} 已将对话交回给我（机器人）。请问有什么可以帮您？",
    ),
    "withdrawn": (
        "OK, I have cancelled the request for a person. How else can I help?",
        "好的，已取消转人工请求。还有什么可以帮您？",
    ),
    "reopened": (
        "I have passed your message to {agent}, who helped you before.",
        "已将您的消息转给之前为您服务的 {agent}。",
    ),
    "csat_thanks": (
        "Thank you for rating us {rating}/5. Anything to add? Just write it here.",
        "感谢您的 {rating} 分评价！如有补充意见，请直接在这里留言。",
    ),
    "csat_already": (
        "Thank you, your rating is already recorded.",
        "谢谢，您的评价已经记录。",
    ),
    "csat_comment": (
        "Thank you for your feedback, it goes to the team.",
        "感谢您的反馈，我们会转达给团队。",
    ),
    "waiting": (
        "Your message has been passed on; a colleague will reply here.",
        "您的消息已转交，客服同事会在这里回复您。",
    ),
}


def notice(name: str, language: str, **facts: str) -> str:
    """The supplier-facing text `name`, in `language` ("en" or "zh")."""
    en, zh = _NOTICES[name]
    return (zh if language == "zh" else en).format(**facts)
