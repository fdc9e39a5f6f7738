"""A person on several platforms: /link, and /bind with a link code elsewhere."""

LINK_ISSUED = (
    "关联码：{code}\n有效期至：{expires}（仅可使用一次）\n"
    "请在另一平台（飞书、钉钉、企业微信等）与本机器人的私聊中发送：/bind {code}\n"
    "关联后，您在该平台的身份与此处相同：{roles}。"
)
LINK_UNBOUND = "您尚未绑定身份，无可关联的身份。请先向{office}索取绑定码，发送 /bind 绑定。"
LINK_PRIVATE_ONLY = "为防止关联码泄露，请在与我的私聊中使用 /link。"
LINK_OK = "关联成功。您在此平台的身份与原平台相同：{roles}。\n发送 /help 查看可用命令。"
LINK_ALREADY = "此账号已与您的身份关联（{roles}），无需重复关联。"
LINK_TAKEN = (
    "此账号已另行绑定了身份（{roles}），不能再关联到其他人的身份。如需变更，请联系{office}。"
)
LINK_SAME_PLATFORM = (
    "关联码用于把另一平台（飞书、钉钉、企业微信等）的账号关联到您的身份，不能在同一平台使用。"
    "该码未被使用，仍然有效。"
)
LINK_CONFIG_ADMIN = (
    "您是配置文件中指定的管理员（office.admins），这一身份只在 Telegram 有效，无法关联。"
    "如需在另一平台担任管理员，请用 /code admin 生成管理员绑定码，在该平台私聊机器人发送 /bind。"
)
