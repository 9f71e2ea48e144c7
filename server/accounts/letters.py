"""The mails Vitrine sends, in English and French: an invitation to choose a password, a reset link, a giveaway
winner's claim link. Given no language, a mail carries both, English first."""

from __future__ import annotations

from dataclasses import dataclass

LANGS = ("en", "fr")

_SUBJECTS = {
    ("invitation", "en"): "You are invited to Vitrine",
    ("invitation", "fr"): "Vous êtes invité sur Vitrine",
    ("reset", "en"): "Reset your Vitrine password",
    ("reset", "fr"): "Réinitialiser votre mot de passe Vitrine",
    ("giveaway_won", "en"): "You won a giveaway on Vitrine",
    ("giveaway_won", "fr"): "Vous avez gagné un tirage au sort sur Vitrine",
}

_BODIES = {
    ("invitation", "en"): (
        "Hello {name},\n\n"
        "An administrator of Vitrine created an account for you ({email}, role: {role}).\n"
        "Choose your password here to sign in:\n\n{link}\n\n"
        "This link works once, until {until} (UTC).\n"
        "If you were not expecting this invitation, ignore this message."
    ),
    ("invitation", "fr"): (
        "Bonjour {name},\n\n"
        "Un administrateur de Vitrine vous a créé un compte ({email}, rôle : {role}).\n"
        "Choisissez votre mot de passe ici pour vous connecter :\n\n{link}\n\n"
        "Ce lien sert une seule fois, jusqu'au {until} (UTC).\n"
        "Si vous n'attendiez pas cette invitation, ignorez ce message."
    ),
    ("reset", "en"): (
        "Hello {name},\n\n"
        "Someone asked to reset the password of your Vitrine account ({email}).\n"
        "Choose a new password here:\n\n{link}\n\n"
        "This link works once, until {until} (UTC); using it signs you out everywhere.\n"
        "If you did not ask for it, ignore this message: your password stays as it is."
    ),
    ("reset", "fr"): (
        "Bonjour {name},\n\n"
        "Quelqu'un a demandé à réinitialiser le mot de passe de votre compte Vitrine ({email}).\n"
        "Choisissez un nouveau mot de passe ici :\n\n{link}\n\n"
        "Ce lien sert une seule fois, jusqu'au {until} (UTC) ; il vous déconnecte partout.\n"
        "Si vous ne l'avez pas demandé, ignorez ce message : votre mot de passe ne change pas."
    ),
    ("giveaway_won", "en"): (
        "Hello {name},\n\n"
        "You won the giveaway of the show \"{show}\": {prize}.\n"
        "Claim your prize here (it costs nothing; we ask where to send it):\n\n{link}\n\n"
        "Claim it before {until} (UTC): after that, it goes to the next entry of the draw."
    ),
    ("giveaway_won", "fr"): (
        "Bonjour {name},\n\n"
        "Vous avez gagné le tirage au sort de l'émission « {show} » : {prize}.\n"
        "Réclamez votre lot ici (c'est gratuit ; nous vous demandons où l'envoyer) :\n\n{link}\n\n"
        "Réclamez-le avant le {until} (UTC) : passé ce délai, il revient à l'inscription suivante du tirage."
    ),
}


@dataclass(frozen=True, slots=True)
class Letter:
    subject: str
    text: str
    lang: str


def letter(kind: str, *, lang: str | None, **values: str) -> Letter:
    """The mail of `kind` (invitation, reset: name, email, role, link, until; giveaway_won: name, show, prize,
    link, until) in `lang`, or in both languages when it is None."""
    langs = (lang,) if lang in LANGS else LANGS
    subject = " / ".join(_SUBJECTS[(kind, each)] for each in langs)
    text = "\n\n-----\n\n".join(_BODIES[(kind, each)].format(**values) for each in langs)
    return Letter(subject=subject, text=text + "\n", lang=", ".join(langs))
