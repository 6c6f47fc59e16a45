#!/usr/bin/env python3
"""Writes tests/fixtures/mail/charset/*.eml: plain-text bounce notices in national charsets,
each with an RFC 2047 Subject, the way MTAs of those countries write them (Content-Type
charset, a mix of 7bit, 8bit, base64 and quoted-printable bodies). The texts are the
project's own. Run from the repository root: python3 scripts/gen-charset-fixtures.py
"""
import base64
import os
import quopri

OUT = os.path.join("tests", "fixtures", "mail", "charset")


def b_word(text, charset, codec=None):
    raw = text.encode(codec or charset)
    return "=?%s?B?%s?=" % (charset, base64.b64encode(raw).decode("ascii"))


def q_word(text, charset, codec=None):
    raw = text.encode(codec or charset)
    out = []
    for b in raw:
        c = chr(b)
        if b == 0x20:
            out.append("_")
        elif c.isalnum() and b < 0x80:
            out.append(c)
        elif c in "!*+-/" and b < 0x80:
            out.append(c)
        else:
            out.append("=%02X" % b)
    return "=?%s?Q?%s?=" % (charset, "".join(out))


def body_bytes(text, codec, cte):
    raw = text.encode(codec)
    if cte == "base64":
        enc = base64.encodebytes(raw)
        return enc
    if cte == "quoted-printable":
        return quopri.encodestring(raw)
    return raw


def message(name, *, from_, to, subject, date, charset, codec, cte, body, extra=""):
    head = (
        "Return-Path: <>\n"
        "From: %s\n"
        "To: %s\n"
        "Subject: %s\n"
        "Date: %s\n"
        "Message-ID: <%s.bounce@notice.example.net>\n"
        "MIME-Version: 1.0\n"
        "%s"
        "Content-Type: text/plain; charset=%s\n"
        "Content-Transfer-Encoding: %s\n\n"
    ) % (from_, to, subject, date, name, extra, charset, cte)
    data = head.encode("ascii") + body_bytes(body, codec, cte)
    with open(os.path.join(OUT, name + ".eml"), "wb") as f:
        f.write(data)


def main():
    os.makedirs(OUT, exist_ok=True)

    message(
        "shift_jis",
        from_="MAILER-DAEMON@mx1.example.jp (Mail Delivery System)",
        to="sender@example.com",
        subject=b_word("配送エラー: メールを配送できませんでした", "Shift_JIS", "shift_jis"),
        date="Tue, 10 Nov 2026 09:15:00 +0900",
        charset="Shift_JIS",
        codec="shift_jis",
        cte="8bit",
        body=(
            "このメールはシステムから自動的に送信されています。\n\n"
            "以下の宛先へのメールを配送できませんでした。\n\n"
            "<taro.yamada@example.jp>: 550 5.1.1 <taro.yamada@example.jp>: ユーザが存在しません\n\n"
            "宛先のメールアドレスをご確認のうえ、再度送信してください。\n"
        ),
    )

    message(
        "euc-jp",
        from_="MAILER-DAEMON@mail.example.ne.jp",
        to="sender@example.com",
        subject=b_word("メール配送失敗のお知らせ", "EUC-JP", "euc_jp"),
        date="Wed, 11 Nov 2026 18:02:41 +0900 (JST)",
        charset="EUC-JP",
        codec="euc_jp",
        cte="base64",
        body=(
            "お送りいただいたメールは、次の宛先に配送できませんでした。\n\n"
            "<hanako@example.ne.jp>: 552 5.2.2 メールボックスの容量を超えています\n\n"
            "しばらく時間をおいてから再送してください。\n"
        ),
    )

    # Two adjacent encoded words on folded lines, split inside the text (RFC 2047 6.2).
    subject = (
        b_word("配信不能通知：", "ISO-2022-JP", "iso2022_jp")
        + "\n "
        + b_word("宛先不明", "ISO-2022-JP", "iso2022_jp")
    )
    message(
        "iso-2022-jp",
        from_="postmaster@mta.example.co.jp",
        to="sender@example.com",
        subject=subject,
        date="Thu, 12 Nov 2026 07:30:05 +0900",
        charset="ISO-2022-JP",
        codec="iso2022_jp",
        cte="7bit",
        body=(
            "配信不能通知\n\n"
            "次の宛先への送信に失敗しました。\n\n"
            "<jiro.suzuki@example.co.jp>: 550 5.1.1 宛先のメールアドレスは存在しません\n\n"
            "送信者様へ：宛先をご確認ください。\n"
        ),
    )

    message(
        "gb2312",
        from_=b_word("系统退信", "GB2312") + " <MAILER-DAEMON@mx.example.cn>",
        to="sender@example.com",
        subject=b_word("退信通知：邮件无法投递", "GB2312"),
        date="Fri, 13 Nov 2026 10:11:12 +0800",
        charset="GB2312",
        codec="gb2312",
        cte="base64",
        body=(
            "您好，这是系统退信。\n\n"
            "您发送的邮件无法投递到以下收件人：\n\n"
            "<wang.wei@example.cn>: 550 5.1.1 收件人地址不存在\n\n"
            "请检查收件人地址后重新发送。\n"
        ),
    )

    message(
        "big5",
        from_="MAILER-DAEMON@mail.example.com.tw",
        to="sender@example.com",
        subject=q_word("郵件無法送達", "Big5", "big5"),
        date="Sat, 14 Nov 2026 16:45:00 +0800",
        charset="Big5",
        codec="big5",
        cte="quoted-printable",
        body=(
            "這是系統自動回覆的訊息。\n\n"
            "您的郵件無法送達以下收件者：\n\n"
            "<chen.mei@example.com.tw>: 552 5.2.2 收件者信箱已滿，無法接收郵件\n\n"
            "請稍後再試。\n"
        ),
    )

    # Outlook and Korean webmail label EUC-KR as ks_c_5601-1987.
    message(
        "euc-kr",
        from_="MAILER-DAEMON@mx.example.co.kr",
        to="sender@example.com",
        subject=b_word("메일 전송 실패 안내", "ks_c_5601-1987", "euc_kr"),
        date="Sun, 15 Nov 2026 12:00:00 +0900",
        charset="ks_c_5601-1987",
        codec="euc_kr",
        cte="8bit",
        body=(
            "보내신 메일이 다음 수신자에게 전달되지 못했습니다.\n\n"
            "<kim.minsu@example.co.kr>: 550 5.1.1 존재하지 않는 사용자입니다\n\n"
            "수신자 주소를 확인하신 후 다시 보내 주십시오.\n"
        ),
    )

    message(
        "koi8-r",
        from_="MAILER-DAEMON@mx.example.ru",
        to="sender@example.com",
        subject=b_word("Недоставленное сообщение", "KOI8-R"),
        date="Mon, 16 Nov 2026 11:22:33 +0300",
        charset="KOI8-R",
        codec="koi8_r",
        cte="8bit",
        body=(
            "Это сообщение создано автоматически почтовой системой.\n\n"
            "Ваше письмо не удалось доставить следующим адресатам:\n\n"
            "<ivanov@example.ru>: 550 5.1.1 Пользователь не найден\n"
        ),
    )

    message(
        "windows-1251",
        from_="MAILER-DAEMON@relay.example.ru",
        to="sender@example.com",
        subject=q_word("Ошибка доставки почты", "windows-1251", "cp1251"),
        date="Tue, 17 Nov 2026 08:00:00 +0300",
        charset="windows-1251",
        codec="cp1251",
        cte="quoted-printable",
        body=(
            "Ваше сообщение не может быть доставлено.\n\n"
            "<petrov@example.ru>: 552 5.2.2 Почтовый ящик получателя переполнен\n\n"
            "Попробуйте отправить письмо позже.\n"
        ),
    )

    message(
        "iso-8859-2",
        from_="MAILER-DAEMON@poczta.example.pl",
        to="sender@example.com",
        subject=q_word("Niedostarczona wiadomość", "ISO-8859-2", "iso8859_2"),
        date="Wed, 18 Nov 2026 14:05:00 +0100",
        charset="ISO-8859-2",
        codec="iso8859_2",
        cte="quoted-printable",
        body=(
            "Twoja wiadomość nie mogła zostać dostarczona do następujących odbiorców:\n\n"
            "<jan.kowalski@example.pl>: 550 5.1.1 Użytkownik nie istnieje\n\n"
            "Sprawdź adres odbiorcy i spróbuj ponownie.\n"
        ),
    )

    message(
        "iso-8859-2-cs",
        from_="MAILER-DAEMON@mail.example.cz",
        to="sender@example.com",
        subject=b_word("Nedoručitelná zpráva", "iso-8859-2", "iso8859_2"),
        date="Thu, 19 Nov 2026 09:45:10 +0100",
        charset="iso-8859-2",
        codec="iso8859_2",
        cte="8bit",
        body=(
            "Vaši zprávu nebylo možné doručit těmto příjemcům:\n\n"
            "<jiri.novak@example.cz>: 552 5.2.2 Schránka příjemce je plná\n"
        ),
    )

    # windows-1252 proper: the apostrophe and the dash are bytes that ISO-8859-1 leaves
    # as C1 controls.
    message(
        "windows-1252",
        from_="MAILER-DAEMON@smtp.example.fr",
        to="sender@example.com",
        subject=q_word("Échec de la remise du message", "windows-1252", "cp1252"),
        date="Fri, 20 Nov 2026 17:20:00 +0100",
        charset="windows-1252",
        codec="cp1252",
        cte="8bit",
        body=(
            "Votre message n’a pas pu être remis aux destinataires suivants :\n\n"
            "<jean.dupont@example.fr>: 550 5.1.1 L’adresse du destinataire n’existe pas – "
            "vérifiez l’orthographe\n"
        ),
    )

    message(
        "cp1252-de",
        from_="MAILER-DAEMON@mx.example.de",
        to="sender@example.com",
        subject=q_word("Unzustellbar: Ihre Nachricht", "iso-8859-1", "latin-1"),
        date="Sat, 21 Nov 2026 10:00:00 +0100",
        charset="cp1252",
        codec="cp1252",
        cte="quoted-printable",
        body=(
            "Ihre Nachricht konnte nicht zugestellt werden.\n\n"
            "<hans.mueller@example.de>: 552 5.2.2 Das Postfach des Empfängers ist voll – "
            "bitte später erneut versuchen\n"
        ),
    )

    # An automatic reply that says so only in its encoded subject.
    message(
        "autoreply-fr",
        from_=q_word("Marie Lefèvre", "UTF-8", "utf-8") + " <marie.lefevre@example.fr>",
        to="sender@example.com",
        subject="=?UTF-8?Q?R=C3=A9ponse_automatique?= : =?UTF-8?Q?votre_message?=",
        date="Sun, 22 Nov 2026 19:00:00 +0100",
        charset="utf-8",
        codec="utf-8",
        cte="quoted-printable",
        body=(
            "Bonjour,\n\nJe suis absente du bureau jusqu’au 30 novembre, avec un accès limité "
            "à ma messagerie.\n\nMarie\n"
        ),
    )


if __name__ == "__main__":
    main()
