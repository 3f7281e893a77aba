"""Texts of the Special:BotPasswords page (our own wording; English, German, Turkish).

MediaWiki's API-facing messages (``botpasswords-insert-failed`` …) come from the message
catalogue; these are the page's prose, which is ours. Placeholders use ``str.format``
names; the template escapes everything.
"""

from __future__ import annotations

TEXTS: dict[str, dict[str, str]] = {
    "en": {
        "title": "Bot passwords",
        "intro": "A bot password lets a tool or script log in to your account through the API "
                 "(action=login with the name User@bot-name) without knowing your real password. "
                 "You choose what it may do; it can never do more than your account can.",
        "warning": "Only create one if you run such a tool yourself. Nobody has a good reason to ask "
                   "you for a bot password.",
        "existing": "Your bot passwords",
        "needs_reset": "(must be reset before it can be used)",
        "needs_reset_notice": "This bot password stopped working when your account password changed. "
                              "Tick “Generate a new password” and save to use it again.",
        "create_legend": "Create a new bot password",
        "edit_legend": "Change this bot password",
        "appid_label": "Bot name",
        "appid_help": "A name for the tool, up to 32 bytes, e.g. “archivebot”. You log in as User@name.",
        "create": "Create",
        "update": "Save changes",
        "delete": "Delete",
        "cancel": "Cancel",
        "username_label": "Log in as:",
        "reset_label": "Generate a new password (the old one stops working)",
        "grants_label": "What this bot password may do",
        "grants_help": "Grants limit the rights of sessions opened with this bot password to the "
                       "chosen areas. They never add rights your account does not have. Basic rights "
                       "are always included.",
        "restrictions_label": "Allowed IP addresses",
        "restrictions_help": "One IP address or CIDR range per line, e.g. 192.0.2.0/24 or 2001:db8::/32. "
                             "0.0.0.0/0 and ::/0 allow every address.",
        "new_password_1": "To log in, use the name",
        "new_password_2": "and the password",
        "new_password_3": ".",
        "new_password_legacy_1": "Tools that insist on logging in with the plain user name can use",
        "new_password_legacy_2": "with the password",
        "new_password_legacy_3": " instead.",
        "record_it": "Write the password down now: it is not shown again. If you lose it, "
                     "generate a new one here.",
        "back": "Back to your bot passwords",
        "created_title": "Bot password created",
        "created": "The bot password “{app}” of {user} was created.",
        "updated_title": "Bot password saved",
        "updated": "The bot password “{app}” of {user} was saved.",
        "deleted_title": "Bot password deleted",
        "deleted": "The bot password “{app}” of {user} was deleted. Tools using it are logged out.",
        "anon": "Please log in to manage your bot passwords.",
        "login_how": "Log in with the link below (tools can also log in through the API with "
                     "action=clientlogin and open this page with the same session cookie).",
        "login_link": "Log in and come back here",
        "reauth": "For your security, please log in again: managing bot passwords needs a login "
                  "from the last {minutes} minutes.",
        "denied": "Your account is not allowed to manage bot passwords.",
        "disabled": "Bot passwords are switched off on this wiki.",
        "bad_appid": "“{app}” cannot be used as a bot name: it must be 1 to 32 bytes long and must not "
                     "contain any of @ # < > [ ] | {{ }}.",
        "bad_token": "Your session changed or expired before the form was sent, so nothing was saved. "
                     "Please check the form and send it again.",
        "bad_range": "“{value}” is not an IP address or CIDR range.",
        "no_ranges": "Enter at least one IP address or range (0.0.0.0/0 and ::/0 allow all).",
        "bad_grant": "Unknown grant “{value}”.",
        "not_posted": "Changes must be sent with the form (POST).",
    },
    "de": {
        "title": "Bot-Passwörter",
        "intro": "Mit einem Bot-Passwort kann sich ein Werkzeug oder Skript über die API bei deinem "
                 "Benutzerkonto anmelden (action=login mit dem Namen Benutzer@Botname), ohne dein "
                 "eigentliches Passwort zu kennen. Du legst fest, was es darf – nie mehr als dein Konto.",
        "warning": "Lege nur eines an, wenn du ein solches Werkzeug selbst betreibst. Niemand hat einen "
                   "guten Grund, dich nach einem Bot-Passwort zu fragen.",
        "existing": "Deine Bot-Passwörter",
        "needs_reset": "(muss vor der Benutzung neu erzeugt werden)",
        "needs_reset_notice": "Dieses Bot-Passwort gilt nicht mehr, weil sich das Passwort deines Kontos "
                              "geändert hat. Wähle „Neues Passwort erzeugen“ und speichere.",
        "create_legend": "Neues Bot-Passwort anlegen",
        "edit_legend": "Dieses Bot-Passwort ändern",
        "appid_label": "Botname",
        "appid_help": "Ein Name für das Werkzeug, höchstens 32 Bytes, z. B. „archivbot“. Die Anmeldung "
                      "erfolgt als Benutzer@Name.",
        "create": "Anlegen",
        "update": "Änderungen speichern",
        "delete": "Löschen",
        "cancel": "Abbrechen",
        "username_label": "Anmelden als:",
        "reset_label": "Neues Passwort erzeugen (das alte wird ungültig)",
        "grants_label": "Was dieses Bot-Passwort darf",
        "grants_help": "Berechtigungen beschränken die Rechte von Sitzungen mit diesem Bot-Passwort auf "
                       "die gewählten Bereiche. Sie geben nie Rechte, die dein Konto nicht hat. "
                       "Grundrechte sind immer enthalten.",
        "restrictions_label": "Erlaubte IP-Adressen",
        "restrictions_help": "Eine IP-Adresse oder ein CIDR-Bereich pro Zeile, z. B. 192.0.2.0/24 oder "
                             "2001:db8::/32. 0.0.0.0/0 und ::/0 erlauben jede Adresse.",
        "new_password_1": "Melde dich mit dem Namen",
        "new_password_2": "und dem Passwort",
        "new_password_3": " an.",
        "new_password_legacy_1": "Werkzeuge, die nur den Benutzernamen akzeptieren, können",
        "new_password_legacy_2": "mit dem Passwort",
        "new_password_legacy_3": " verwenden.",
        "record_it": "Notiere das Passwort jetzt: Es wird nicht noch einmal angezeigt. Wenn du es "
                     "verlierst, erzeuge hier ein neues.",
        "back": "Zurück zu deinen Bot-Passwörtern",
        "created_title": "Bot-Passwort angelegt",
        "created": "Das Bot-Passwort „{app}“ von {user} wurde angelegt.",
        "updated_title": "Bot-Passwort gespeichert",
        "updated": "Das Bot-Passwort „{app}“ von {user} wurde gespeichert.",
        "deleted_title": "Bot-Passwort gelöscht",
        "deleted": "Das Bot-Passwort „{app}“ von {user} wurde gelöscht. Werkzeuge, die es nutzen, "
                   "sind abgemeldet.",
        "anon": "Bitte melde dich an, um deine Bot-Passwörter zu verwalten.",
        "login_how": "Melde dich über den Link unten an (Werkzeuge können sich auch über die API mit "
                     "action=clientlogin anmelden und diese Seite mit demselben Sitzungs-Cookie öffnen).",
        "login_link": "Anmelden und hierher zurückkehren",
        "reauth": "Zu deiner Sicherheit melde dich bitte erneut an: Für die Verwaltung von "
                  "Bot-Passwörtern darf die Anmeldung höchstens {minutes} Minuten zurückliegen.",
        "denied": "Dein Benutzerkonto darf keine Bot-Passwörter verwalten.",
        "disabled": "Bot-Passwörter sind in diesem Wiki abgeschaltet.",
        "bad_appid": "„{app}“ kann nicht als Botname verwendet werden: 1 bis 32 Bytes, ohne "
                     "@ # < > [ ] | {{ }}.",
        "bad_token": "Deine Sitzung hat sich geändert oder ist abgelaufen, bevor das Formular gesendet "
                     "wurde; es wurde nichts gespeichert. Bitte prüfe das Formular und sende es erneut.",
        "bad_range": "„{value}“ ist keine IP-Adresse und kein CIDR-Bereich.",
        "no_ranges": "Gib mindestens eine IP-Adresse oder einen Bereich an (0.0.0.0/0 und ::/0 erlauben alle).",
        "bad_grant": "Unbekannte Berechtigung „{value}“.",
        "not_posted": "Änderungen müssen mit dem Formular (POST) gesendet werden.",
    },
    "tr": {
        "title": "Bot parolaları",
        "intro": "Bot parolası, bir aracın veya betiğin gerçek parolanızı bilmeden API üzerinden "
                 "hesabınızla oturum açmasını sağlar (Kullanıcı@botadı adıyla action=login). Neler "
                 "yapabileceğini siz seçersiniz; hesabınızın yapabildiğinden fazlasını asla yapamaz.",
        "warning": "Yalnızca böyle bir aracı kendiniz çalıştırıyorsanız oluşturun. Kimsenin sizden bot "
                   "parolası istemek için geçerli bir nedeni yoktur.",
        "existing": "Bot parolalarınız",
        "needs_reset": "(kullanılmadan önce sıfırlanmalı)",
        "needs_reset_notice": "Hesap parolanız değiştiği için bu bot parolası artık çalışmıyor. "
                              "“Yeni parola oluştur” seçeneğini işaretleyip kaydedin.",
        "create_legend": "Yeni bot parolası oluştur",
        "edit_legend": "Bu bot parolasını değiştir",
        "appid_label": "Bot adı",
        "appid_help": "Araç için en fazla 32 baytlık bir ad, ör. “arsivbot”. Kullanıcı@ad olarak oturum açılır.",
        "create": "Oluştur",
        "update": "Değişiklikleri kaydet",
        "delete": "Sil",
        "cancel": "İptal",
        "username_label": "Oturum açma adı:",
        "reset_label": "Yeni parola oluştur (eskisi geçersiz olur)",
        "grants_label": "Bu bot parolasının izinleri",
        "grants_help": "İzinler, bu bot parolasıyla açılan oturumların haklarını seçilen alanlarla "
                       "sınırlar. Hesabınızda olmayan hakları asla vermez. Temel haklar her zaman dahildir.",
        "restrictions_label": "İzin verilen IP adresleri",
        "restrictions_help": "Her satıra bir IP adresi veya CIDR aralığı, ör. 192.0.2.0/24 ya da "
                             "2001:db8::/32. 0.0.0.0/0 ve ::/0 her adrese izin verir.",
        "new_password_1": "Oturum açmak için ad olarak",
        "new_password_2": "ve parola olarak",
        "new_password_3": " kullanın.",
        "new_password_legacy_1": "Yalnızca kullanıcı adını kabul eden araçlar",
        "new_password_legacy_2": "adını ve",
        "new_password_legacy_3": " parolasını kullanabilir.",
        "record_it": "Parolayı şimdi not edin: bir daha gösterilmeyecek. Kaybederseniz buradan yenisini "
                     "oluşturun.",
        "back": "Bot parolalarınıza dönün",
        "created_title": "Bot parolası oluşturuldu",
        "created": "{user} kullanıcısının “{app}” bot parolası oluşturuldu.",
        "updated_title": "Bot parolası kaydedildi",
        "updated": "{user} kullanıcısının “{app}” bot parolası kaydedildi.",
        "deleted_title": "Bot parolası silindi",
        "deleted": "{user} kullanıcısının “{app}” bot parolası silindi. Onu kullanan araçların oturumu kapandı.",
        "anon": "Bot parolalarınızı yönetmek için lütfen oturum açın.",
        "login_how": "Aşağıdaki bağlantıyla oturum açın (araçlar API üzerinden action=clientlogin ile de "
                     "oturum açıp bu sayfayı aynı oturum çereziyle açabilir).",
        "login_link": "Oturum açın ve buraya dönün",
        "reauth": "Güvenliğiniz için lütfen yeniden oturum açın: bot parolalarını yönetmek için son "
                  "{minutes} dakika içinde oturum açmış olmanız gerekir.",
        "denied": "Hesabınızın bot parolalarını yönetme izni yok.",
        "disabled": "Bu vikide bot parolaları kapalı.",
        "bad_appid": "“{app}” bot adı olarak kullanılamaz: 1 ile 32 bayt arasında olmalı ve "
                     "@ # < > [ ] | {{ }} içermemelidir.",
        "bad_token": "Form gönderilmeden önce oturumunuz değişti veya süresi doldu; hiçbir şey "
                     "kaydedilmedi. Lütfen formu kontrol edip yeniden gönderin.",
        "bad_range": "“{value}” bir IP adresi veya CIDR aralığı değil.",
        "no_ranges": "En az bir IP adresi veya aralığı girin (0.0.0.0/0 ve ::/0 hepsine izin verir).",
        "bad_grant": "Bilinmeyen izin “{value}”.",
        "not_posted": "Değişiklikler formla (POST) gönderilmelidir.",
    },
}


def texts_for(lang: str) -> dict[str, str]:
    """The page texts in ``lang`` (language code or ``de-at``-style variant), English otherwise."""
    base = lang.lower().split("-", 1)[0]
    return TEXTS.get(lang.lower()) or TEXTS.get(base) or TEXTS["en"]
