"""The prose of the HTML pages (our own wording) in English, German and Turkish.

Field labels and the flow's messages come from the message catalogue (i18n/messages),
as the API renders them; these are the pages' own sentences. Placeholders use
``str.format`` names; templates escape everything. A key missing in German or Turkish
falls back to English (tests/web check that all three have the same keys).
"""

from __future__ import annotations

TEXTS: dict[str, dict[str, dict[str, str]]] = {
    "en": {
        "ui": {
            "skip": "Skip to content",
            "personal": "Your account",
            "logged_in_as": "Logged in as",
            "login": "Log in",
            "logout": "Log out",
            "createaccount": "Create account",
            "changepassword": "Change password",
            "botpasswords": "Bot passwords",
            "preferences": "Preferences",
            "optional": "optional",
            "bad_token": "This form has expired or was not sent from this site. Please try again.",
            "back_main": "Back to the main page",
            "required": "Please fill in every required field.",
            "new_messages": "You have new messages on your talk page.",
        },
        "main": {
            "title": "Main Page",
            "missing_title": "Page not found",
            "intro": "{sitename} runs wikigate, the account and page-protection service of this wiki. "
                     "It speaks the MediaWiki Action API at {api} and offers the pages below for people.",
            "missing": "This server does not show wiki pages; there is no page “{title}” here.",
            "anon": "You are not logged in.",
            "user": "You are logged in as {user}.",
            "pages": "What you can do here",
            "login": "Log in",
            "createaccount": "Create an account",
            "passwordreset": "Forgot your password? Get a temporary one by e-mail",
            "changepassword": "Change your password",
            "botpasswords": "Manage bot passwords for tools and scripts",
            "logout": "Log out",
            "api": "The API for programs",
            "source_note": "This server does not render wikitext: below is the source of the page's "
                           "latest revision, last changed by {user} on {date}.",
            "protection": "Protection of this page",
        },
        "login": {
            "title": "Log in",
            "continue_title": "Log in: one more step",
            "submit": "Log in",
            "continue": "Continue",
            "cancel": "Start again",
            "forgot": "Forgot your password?",
            "no_account": "No account yet?",
            "create": "Create one",
            "already": "You are already logged in as {user}. Logging in again switches the account.",
            "cannot": "Logging in is not possible in this session.",
        },
        "logout": {
            "title": "Log out",
            "confirm": "Do you want to log out of {sitename}?",
            "submit": "Log out",
            "done": "You are now logged out.",
            "not_logged_in": "You are not logged in.",
        },
        "createaccount": {
            "title": "Create account",
            "continue_title": "Create account: one more step",
            "submit": "Create your account",
            "submit_other": "Create the account",
            "continue": "Continue",
            "intro": "Choose a user name and a password. The e-mail address is optional; it lets you "
                     "reset a forgotten password.",
            "intro_other": "You are creating an account for someone else as {user}.",
            "done_title": "Account created",
            "done": "The account {user} was created.",
            "done_self": "Welcome, {user}! Your account was created and you are logged in.",
            "have_account": "Already have an account?",
            "cannot": "Accounts cannot be created here.",
            "denied": "You are not allowed to create accounts.",
        },
        "passwordreset": {
            "title": "Reset password",
            "intro": "Enter your user name or your e-mail address. If they belong to an account with an "
                     "e-mail address, a temporary password is sent there.",
            "username": "Username",
            "email": "E-mail address",
            "submit": "Send a temporary password",
            "done": "If this is an account with an e-mail address, a temporary password was sent to it. "
                    "Log in with it and choose a new password.",
            "login": "Go to the login page",
        },
        "preferences": {
            "title": "Preferences",
            "intro": "Settings of {user}. They apply here and to every tool that reads them through the API "
                     "(action=options).",
            "language": "Language of the pages",
            "gender": "How should the wiki refer to you?",
            "gender_male": "as a man",
            "gender_female": "as a woman",
            "gender_unknown": "I prefer not to say",
            "submit": "Save",
            "done": "Your preferences were saved.",
            "anon": "Please log in to change your preferences.",
            "denied": "Your account is not allowed to change its preferences.",
            "realname": "Real name (optional; shown where the wiki credits your work)",
            "realname_long": "The real name is too long (at most 255 bytes).",
            "email": "E-mail address",
            "email_none": "none",
            "changeemail": "Change your e-mail address",
        },
        "changecredentials": {
            "title": "Change password",
            "intro": "Choose a new password for {user}. Your other sessions and your bot passwords stop "
                     "working; this session stays logged in.",
            "submit": "Change password",
            "done": "Your password was changed.",
            "anon": "Please log in to change your password.",
            "reauth": "For your security, please log in again before changing your password.",
            "denied": "This session cannot change the account's credentials.",
            "none": "This account has no password that can be changed here.",
        },
    },
    "de": {
        "ui": {
            "skip": "Zum Inhalt springen",
            "personal": "Dein Benutzerkonto",
            "logged_in_as": "Angemeldet als",
            "login": "Anmelden",
            "logout": "Abmelden",
            "createaccount": "Benutzerkonto anlegen",
            "changepassword": "Passwort ändern",
            "botpasswords": "Bot-Passwörter",
            "preferences": "Einstellungen",
            "optional": "freiwillig",
            "bad_token": "Dieses Formular ist abgelaufen oder stammt nicht von dieser Website. "
                         "Bitte versuche es noch einmal.",
            "back_main": "Zurück zur Hauptseite",
            "required": "Bitte fülle alle Pflichtfelder aus.",
            "new_messages": "Auf deiner Diskussionsseite gibt es neue Nachrichten.",
        },
        "main": {
            "title": "Hauptseite",
            "missing_title": "Seite nicht gefunden",
            "intro": "{sitename} verwendet wikigate, den Dienst für Benutzerkonten und Seitenschutz dieses "
                     "Wikis. Er spricht die MediaWiki-Action-API unter {api} und bietet Menschen die "
                     "folgenden Seiten.",
            "missing": "Dieser Server zeigt keine Wikiseiten an; eine Seite „{title}“ gibt es hier nicht.",
            "anon": "Du bist nicht angemeldet.",
            "user": "Du bist als {user} angemeldet.",
            "pages": "Was du hier tun kannst",
            "login": "Anmelden",
            "createaccount": "Ein Benutzerkonto anlegen",
            "passwordreset": "Passwort vergessen? Ein vorläufiges per E-Mail erhalten",
            "changepassword": "Dein Passwort ändern",
            "botpasswords": "Bot-Passwörter für Werkzeuge und Skripte verwalten",
            "logout": "Abmelden",
            "api": "Die API für Programme",
            "source_note": "Dieser Server stellt keinen Wikitext dar: Unten steht der Quelltext der neuesten "
                           "Version dieser Seite, zuletzt geändert von {user} am {date}.",
            "protection": "Schutz dieser Seite",
        },
        "login": {
            "title": "Anmelden",
            "continue_title": "Anmelden: noch ein Schritt",
            "submit": "Anmelden",
            "continue": "Weiter",
            "cancel": "Neu beginnen",
            "forgot": "Passwort vergessen?",
            "no_account": "Noch kein Benutzerkonto?",
            "create": "Jetzt anlegen",
            "already": "Du bist bereits als {user} angemeldet. Eine neue Anmeldung wechselt das Konto.",
            "cannot": "In dieser Sitzung ist keine Anmeldung möglich.",
        },
        "logout": {
            "title": "Abmelden",
            "confirm": "Möchtest du dich von {sitename} abmelden?",
            "submit": "Abmelden",
            "done": "Du bist jetzt abgemeldet.",
            "not_logged_in": "Du bist nicht angemeldet.",
        },
        "createaccount": {
            "title": "Benutzerkonto anlegen",
            "continue_title": "Benutzerkonto anlegen: noch ein Schritt",
            "submit": "Benutzerkonto anlegen",
            "submit_other": "Benutzerkonto anlegen",
            "continue": "Weiter",
            "intro": "Wähle einen Benutzernamen und ein Passwort. Die E-Mail-Adresse ist freiwillig; mit "
                     "ihr kannst du ein vergessenes Passwort zurücksetzen.",
            "intro_other": "Du legst als {user} ein Benutzerkonto für jemand anderen an.",
            "done_title": "Benutzerkonto angelegt",
            "done": "Das Benutzerkonto {user} wurde angelegt.",
            "done_self": "Willkommen, {user}! Dein Benutzerkonto wurde angelegt und du bist angemeldet.",
            "have_account": "Schon ein Benutzerkonto?",
            "cannot": "Hier können keine Benutzerkonten angelegt werden.",
            "denied": "Du darfst keine Benutzerkonten anlegen.",
        },
        "passwordreset": {
            "title": "Passwort zurücksetzen",
            "intro": "Gib deinen Benutzernamen oder deine E-Mail-Adresse ein. Gehören sie zu einem Konto "
                     "mit E-Mail-Adresse, wird ein vorläufiges Passwort dorthin geschickt.",
            "username": "Benutzername",
            "email": "E-Mail-Adresse",
            "submit": "Vorläufiges Passwort senden",
            "done": "Falls es ein Konto mit E-Mail-Adresse ist, wurde ein vorläufiges Passwort dorthin "
                    "geschickt. Melde dich damit an und wähle ein neues Passwort.",
            "login": "Zur Anmeldung",
        },
        "preferences": {
            "title": "Einstellungen",
            "intro": "Einstellungen von {user}. Sie gelten hier und für jedes Werkzeug, das sie über die API "
                     "liest (action=options).",
            "language": "Sprache der Seiten",
            "gender": "Wie soll das Wiki dich ansprechen?",
            "gender_male": "als Mann",
            "gender_female": "als Frau",
            "gender_unknown": "Ich möchte es nicht angeben",
            "submit": "Speichern",
            "done": "Deine Einstellungen wurden gespeichert.",
            "anon": "Bitte melde dich an, um deine Einstellungen zu ändern.",
            "denied": "Dein Benutzerkonto darf seine Einstellungen nicht ändern.",
            "realname": "Bürgerlicher Name (freiwillig; dort genannt, wo das Wiki deine Arbeit würdigt)",
            "realname_long": "Der Name ist zu lang (höchstens 255 Byte).",
            "email": "E-Mail-Adresse",
            "email_none": "keine",
            "changeemail": "E-Mail-Adresse ändern",
        },
        "changecredentials": {
            "title": "Passwort ändern",
            "intro": "Wähle ein neues Passwort für {user}. Deine anderen Sitzungen und deine Bot-Passwörter "
                     "hören auf zu funktionieren; diese Sitzung bleibt angemeldet.",
            "submit": "Passwort ändern",
            "done": "Dein Passwort wurde geändert.",
            "anon": "Bitte melde dich an, um dein Passwort zu ändern.",
            "reauth": "Zu deiner Sicherheit melde dich bitte erneut an, bevor du dein Passwort änderst.",
            "denied": "Diese Sitzung kann die Zugangsdaten des Kontos nicht ändern.",
            "none": "Dieses Konto hat kein Passwort, das hier geändert werden kann.",
        },
    },
    "tr": {
        "ui": {
            "skip": "İçeriğe atla",
            "personal": "Hesabınız",
            "logged_in_as": "Oturum açan:",
            "login": "Oturum aç",
            "logout": "Oturumu kapat",
            "createaccount": "Hesap oluştur",
            "changepassword": "Parolayı değiştir",
            "botpasswords": "Bot parolaları",
            "preferences": "Tercihler",
            "optional": "isteğe bağlı",
            "bad_token": "Bu formun süresi doldu ya da bu siteden gönderilmedi. Lütfen yeniden deneyin.",
            "back_main": "Ana sayfaya dön",
            "required": "Lütfen tüm zorunlu alanları doldurun.",
            "new_messages": "Mesaj sayfanızda yeni mesajlarınız var.",
        },
        "main": {
            "title": "Ana Sayfa",
            "missing_title": "Sayfa bulunamadı",
            "intro": "{sitename}, bu vikinin hesap ve sayfa koruma hizmeti wikigate ile çalışır. "
                     "MediaWiki Action API'sini {api} adresinde sunar ve insanlar için aşağıdaki sayfaları "
                     "sağlar.",
            "missing": "Bu sunucu viki sayfalarını göstermez; burada “{title}” adlı bir sayfa yok.",
            "anon": "Oturum açmadınız.",
            "user": "{user} olarak oturum açtınız.",
            "pages": "Burada yapabilecekleriniz",
            "login": "Oturum aç",
            "createaccount": "Hesap oluştur",
            "passwordreset": "Parolanızı mı unuttunuz? E-postayla geçici bir parola alın",
            "changepassword": "Parolanızı değiştirin",
            "botpasswords": "Araçlar ve betikler için bot parolalarını yönetin",
            "logout": "Oturumu kapat",
            "api": "Programlar için API",
            "source_note": "Bu sunucu vikimetni işlemez: aşağıda sayfanın en son sürümünün kaynağı var; "
                           "son değiştiren {user}, tarih {date}.",
            "protection": "Bu sayfanın koruması",
        },
        "login": {
            "title": "Oturum aç",
            "continue_title": "Oturum aç: bir adım daha",
            "submit": "Oturum aç",
            "continue": "Devam",
            "cancel": "Baştan başla",
            "forgot": "Parolanızı mı unuttunuz?",
            "no_account": "Henüz hesabınız yok mu?",
            "create": "Hesap oluşturun",
            "already": "Zaten {user} olarak oturum açtınız. Yeniden oturum açmak hesabı değiştirir.",
            "cannot": "Bu oturumda oturum açılamaz.",
        },
        "logout": {
            "title": "Oturumu kapat",
            "confirm": "{sitename} oturumunuzu kapatmak istiyor musunuz?",
            "submit": "Oturumu kapat",
            "done": "Oturumunuz kapatıldı.",
            "not_logged_in": "Oturum açmadınız.",
        },
        "createaccount": {
            "title": "Hesap oluştur",
            "continue_title": "Hesap oluştur: bir adım daha",
            "submit": "Hesabınızı oluşturun",
            "submit_other": "Hesabı oluştur",
            "continue": "Devam",
            "intro": "Bir kullanıcı adı ve parola seçin. E-posta adresi isteğe bağlıdır; unutulan bir "
                     "parolayı sıfırlamanızı sağlar.",
            "intro_other": "{user} olarak başka biri için hesap oluşturuyorsunuz.",
            "done_title": "Hesap oluşturuldu",
            "done": "{user} hesabı oluşturuldu.",
            "done_self": "Hoş geldiniz, {user}! Hesabınız oluşturuldu ve oturumunuz açıldı.",
            "have_account": "Zaten hesabınız var mı?",
            "cannot": "Burada hesap oluşturulamaz.",
            "denied": "Hesap oluşturma izniniz yok.",
        },
        "passwordreset": {
            "title": "Parolayı sıfırla",
            "intro": "Kullanıcı adınızı ya da e-posta adresinizi girin. E-posta adresi olan bir hesaba "
                     "aitse oraya geçici bir parola gönderilir.",
            "username": "Kullanıcı adı",
            "email": "E-posta adresi",
            "submit": "Geçici parola gönder",
            "done": "Bu, e-posta adresi olan bir hesapsa oraya geçici bir parola gönderildi. Onunla oturum "
                    "açın ve yeni bir parola seçin.",
            "login": "Oturum açma sayfasına git",
        },
        "preferences": {
            "title": "Tercihler",
            "intro": "{user} kullanıcısının ayarları. Burada ve bunları API üzerinden (action=options) okuyan "
                     "her araçta geçerlidir.",
            "language": "Sayfaların dili",
            "gender": "Viki sizden nasıl söz etsin?",
            "gender_male": "erkek olarak",
            "gender_female": "kadın olarak",
            "gender_unknown": "Belirtmemeyi tercih ederim",
            "submit": "Kaydet",
            "done": "Tercihleriniz kaydedildi.",
            "anon": "Tercihlerinizi değiştirmek için lütfen oturum açın.",
            "denied": "Hesabınızın tercihlerini değiştirme izni yok.",
            "realname": "Gerçek ad (isteğe bağlı; vikinin emeğinizi andığı yerlerde gösterilir)",
            "realname_long": "Gerçek ad çok uzun (en fazla 255 bayt).",
            "email": "E-posta adresi",
            "email_none": "yok",
            "changeemail": "E-posta adresinizi değiştirin",
        },
        "changecredentials": {
            "title": "Parolayı değiştir",
            "intro": "{user} için yeni bir parola seçin. Diğer oturumlarınız ve bot parolalarınız artık "
                     "çalışmaz; bu oturum açık kalır.",
            "submit": "Parolayı değiştir",
            "done": "Parolanız değiştirildi.",
            "anon": "Parolanızı değiştirmek için lütfen oturum açın.",
            "reauth": "Güvenliğiniz için parolanızı değiştirmeden önce lütfen yeniden oturum açın.",
            "denied": "Bu oturum hesabın kimlik bilgilerini değiştiremez.",
            "none": "Bu hesabın burada değiştirilebilecek bir parolası yok.",
        },
    },
}


def texts_for(lang: str, section: str) -> dict[str, str]:
    """The texts of one page in ``lang``, English for anything not translated."""
    english = TEXTS["en"].get(section, {})
    local = TEXTS.get(lang, {}).get(section, {})
    return {**english, **local}


def _merge_extra() -> None:
    from wikigate.web.texts_extra import EXTRA

    for lang, sections in EXTRA.items():
        for section, keys in sections.items():
            TEXTS[lang].setdefault(section, {}).update(keys)


_merge_extra()
