"""What a robot's refusal or delay means, in words an office can act on.

Each text names the cause and, where there is one, what to check in the group's robot
settings. The vendor's own code and message go to the log beside it, not to the office.
"""

from __future__ import annotations

# Any vendor
BUSY = "平台繁忙，稍后自动重试"
TIMEOUT = "连接平台超时，稍后自动重试"
NETWORK = "无法连接平台（网络中断或地址不可达），稍后自动重试"
SERVER = "平台服务异常（HTTP {status}），稍后自动重试"
THROTTLED = "发送过于频繁，平台已限流，稍后自动重试"
UNREADABLE = "平台应答无法识别，稍后自动重试"
BAD_URL = "Webhook 地址格式有误：请核对配置中的机器人地址"
NOT_FOUND = "Webhook 地址不存在（HTTP {status}）：请核对配置中的机器人地址"
HTTP_REFUSED = "平台拒绝了请求（HTTP {status}）"
UNKNOWN = "平台返回未知错误码 {code}：{message}"
FILE_MISSING = "附件文件不存在或无法读取：{path}"
IMAGE_TOO_BIG = "图片超过 {limit} MB，机器人无法发送"
FILE_SIZE = "文件大小须在 5 字节至 {limit} MB 之间，机器人无法发送"

# 企业微信群机器人
WECOM_BAD_KEY = "Webhook 地址无效：机器人可能已被移出群聊或删除，请核对地址中的 key"
WECOM_BAD_PARAM = "消息内容不符合平台要求（如超过长度限制）"
WECOM_EMPTY = "消息内容为空"
WECOM_MSGTYPE = "平台不支持该消息类型"
WECOM_MEDIA_TYPE = "文件类型不符合平台要求（图片须为 PNG 或 JPG）"
WECOM_IMAGE_SIZE = "图片大小不符合平台要求（须在 2 MB 以内）"
WECOM_FILE_SIZE = "文件大小不符合平台要求（5 字节至 20 MB）"
WECOM_TYPE = "文件上传类型有误"
WECOM_MEDIA_ID = "已上传的文件失效，稍后重新上传"
WECOM_MD5 = "图片校验值（MD5）不匹配"
WECOM_TOO_BIG = "消息内容超过平台大小限制"

# 钉钉自定义机器人
DING_KEYWORD = "消息未包含机器人安全设置中的自定义关键词：请在钉钉群机器人设置中核对关键词"
DING_SIGN = "签名不匹配：请核对机器人的加签密钥"
DING_TIMESTAMP = "时间戳无效：服务器时钟与标准时间相差超过 1 小时，请校准服务器时间"
DING_IP = "服务器 IP 不在机器人的 IP 白名单中：请在钉钉群机器人安全设置中添加"
DING_SECURITY = "未通过机器人的安全设置校验（关键词、加签或 IP 白名单）"
DING_NO_TOKEN = "Webhook 地址无效：access_token 不存在，请核对机器人地址"
DING_DISBANDED = "群已解散：请为其他群另行配置机器人"
DING_STOPPED = "机器人已停用：请群管理员在群设置中启用"
DING_MSGTYPE = "平台不支持该消息类型"
DING_NO_ROBOT = "机器人不存在：可能已被移出群聊，请核对机器人地址"
DING_LINK = "消息含有不安全的外链，被平台拦截"
DING_TEXT = "消息含有不合适的文本，被平台拦截"
DING_IMAGE = "消息含有不合适的图片，被平台拦截"
DING_CONTENT = "消息含有不合适的内容，被平台拦截"
DING_NO_JSON = "请求缺少消息内容（JSON）"
DING_CONTENT_TYPE = "请求的 Content-Type 无效"
DING_TOO_LONG = "消息超过 20000 字节，平台拒收"

# 飞书自定义机器人
FEISHU_BAD_TOKEN = "Webhook 地址无效：机器人可能已被移出群聊、群已解散，或地址有误"
FEISHU_PARAMS = "请求参数有误"
FEISHU_SIGN = "签名不匹配或时间戳超出 1 小时：请核对机器人的签名校验密钥，并校准服务器时间"
FEISHU_IP = "服务器 IP 不在机器人的 IP 白名单中：请在飞书群机器人安全设置中添加"
FEISHU_KEYWORD = "消息未包含机器人安全设置中的自定义关键词：请在飞书群机器人设置中核对关键词"
FEISHU_BAD_REQUEST = "请求格式有误或超过 20 KB，平台拒收"

# Naming a robot, and what the office is told when one refuses
VENDOR_NAMES = {"wecom": "企业微信", "dingtalk": "钉钉", "feishu": "飞书"}
AUDIENCE = {"office": "巡察办工作群", "leaders": "领导群"}
ROBOT_NAME = "{vendor}{audience}机器人"
NOT_CONFIGURED = "该群机器人已不在配置中，消息不再发送"
REFUSED_TO_OFFICE = (
    "【群机器人发送失败】{robot}拒收了消息：{meaning}。\n"
    "Telegram 群内的消息照常发出；改好机器人设置后，之后的消息会恢复推送。"
)
