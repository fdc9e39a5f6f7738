"""The Bot API methods the sandbox serves: one table from method name to its function."""

from bot.sandbox.methods import account, chats, media, messages
from bot.sandbox.methods.common import Effect, Prepare

HANDLERS: dict[str, Prepare] = {
    "getMe": account.get_me,
    "getUpdates": account.get_updates,
    "setWebhook": account.set_webhook,
    "deleteWebhook": account.delete_webhook,
    "getWebhookInfo": account.get_webhook_info,
    "setMyCommands": account.set_my_commands,
    "getMyCommands": account.get_my_commands,
    "deleteMyCommands": account.delete_my_commands,
    "sendMessage": messages.send_message,
    "editMessageText": messages.edit_message_text,
    "editMessageCaption": messages.edit_message_caption,
    "editMessageReplyMarkup": messages.edit_message_reply_markup,
    "deleteMessage": messages.delete_message,
    "deleteMessages": messages.delete_messages,
    "answerCallbackQuery": messages.answer_callback_query,
    "sendPhoto": media.send_photo,
    "sendDocument": media.send_document,
    "getFile": media.get_file,
    "sendChatAction": chats.send_chat_action,
    "getChat": chats.get_chat,
    "getChatMember": chats.get_chat_member,
    "getChatAdministrators": chats.get_chat_administrators,
    "getChatMemberCount": chats.get_chat_member_count,
}

__all__ = ["HANDLERS", "Effect", "Prepare"]
