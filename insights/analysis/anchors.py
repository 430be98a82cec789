"""Sentiment anchor phrases in the seven languages: the training examples of the small logistic
layer over the embeddings (insights/analysis/sentiment.py). Written for this purpose; keep them
short, typical of NPS comments, and balanced across languages."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

TRAINING = Path(__file__).resolve().parent / "data" / "train.jsonl"


@lru_cache(maxsize=1)
def training() -> tuple[dict, ...]:
    """Labelled example comments (lang, text, sentiment, themes) written for training, in the
    seven languages: more sentiment examples, theme examples and no-theme phrases."""
    lines = TRAINING.read_text(encoding="utf-8").splitlines()
    return tuple(json.loads(line) for line in lines if line.strip())


def sentiment_examples() -> list[tuple[str, str]]:
    """(text, sentiment) for the logistic layer."""
    out = [(phrase, label) for label, phrases in ANCHORS.items() for phrase in phrases]
    out += [(row["text"], row["sentiment"]) for row in training()]
    return out

ANCHORS = {
    "positive": (
        # en
        "Great service, thank you", "Very happy with everything", "Fast and easy, I will recommend you",
        "Friendly staff and good products", "Not bad at all", "Everything worked perfectly",
        "Always reliable, never had a problem", "Love it", "Good value, quick delivery", "No complaints, all good",
        # da
        "Rigtig god service, tak", "Meget tilfreds med det hele", "Hurtig levering og søde medarbejdere",
        "Ikke dårligt", "Alt fungerede perfekt", "Kan varmt anbefales", "Super oplevelse", "Aldrig haft problemer",
        # sv
        "Jättebra service, tack", "Mycket nöjd med allt", "Snabb leverans och trevlig personal",
        "Inte dåligt alls", "Allt fungerade perfekt", "Kan verkligen rekommenderas", "Toppen!",
        # nb
        "Veldig god service, takk", "Svært fornøyd med alt", "Rask levering og hyggelige ansatte",
        "Ikke dårlig", "Alt fungerte perfekt", "Kan absolutt anbefales", "Knallbra opplevelse",
        # fi
        "Todella hyvää palvelua, kiitos", "Olen erittäin tyytyväinen", "Nopea toimitus ja ystävällinen henkilökunta",
        "Ei huono", "Kaikki toimi täydellisesti", "Suosittelen lämpimästi", "Ei mitään valittamista",
        # hr
        "Odlična usluga, hvala", "Vrlo sam zadovoljan svime", "Brza dostava i ljubazno osoblje",
        "Nije loše", "Sve je savršeno funkcioniralo", "Toplo preporučujem", "Nikad nisam imao problema",
        # de
        "Super Service, vielen Dank", "Sehr zufrieden mit allem", "Schnelle Lieferung und nettes Personal",
        "Gar nicht schlecht", "Alles hat perfekt funktioniert", "Kann ich nur empfehlen", "Nie Probleme gehabt",
    ),
    "neutral": (
        # en
        "It was okay", "Nothing special", "No comment", "Average experience", "I bought a new phone",
        "It does what it should", "Fine I guess", "Nothing to add", "Some good, some bad", "First time ordering",
        # da
        "Det var okay", "Intet særligt at bemærke", "Ingen kommentarer", "Helt almindeligt", "Jeg købte en sofa",
        "Det gør hvad det skal", "Middel",
        # sv
        "Det var okej", "Inget särskilt", "Ingen kommentar", "Helt vanligt", "Jag köpte en soffa",
        "Den gör vad den ska", "Medel",
        # nb
        "Det var greit", "Ikke noe spesielt", "Ingen kommentar", "Helt vanlig", "Jeg kjøpte en sofa",
        "Den gjør det den skal", "Middels",
        # fi
        "Ihan ok", "Ei mitään erityistä", "Ei kommentoitavaa", "Keskinkertainen kokemus", "Ostin uuden sohvan",
        "Ajaa asiansa", "Perus",
        # hr
        "Bilo je u redu", "Ništa posebno", "Bez komentara", "Prosječno iskustvo", "Kupio sam novi kauč",
        "Radi ono što treba", "Onako",
        # de
        "Es war in Ordnung", "Nichts Besonderes", "Kein Kommentar", "Durchschnittlich", "Ich habe ein Sofa gekauft",
        "Erfüllt seinen Zweck", "Ganz okay",
    ),
    "negative": (
        # en
        "Terrible service", "Very disappointed", "The delivery was late and nobody answered",
        "Not good at all", "Rude staff", "It broke after a week", "Way too expensive", "Never again",
        "Still waiting for my refund", "The app does not work",
        # da
        "Elendig service", "Meget skuffet", "Leveringen var forsinket og ingen svarede", "Ikke godt",
        "Uhøflige medarbejdere", "Gik i stykker efter en uge", "Alt for dyrt", "Aldrig igen",
        # sv
        "Usel service", "Mycket besviken", "Leveransen var sen och ingen svarade", "Inte bra alls",
        "Otrevlig personal", "Gick sönder efter en vecka", "Alldeles för dyrt", "Aldrig mer",
        # nb
        "Elendig service", "Veldig skuffet", "Leveringen var forsinket og ingen svarte", "Ikke bra",
        "Uhøflige ansatte", "Gikk i stykker etter en uke", "Altfor dyrt", "Aldri igjen",
        # fi
        "Surkeaa palvelua", "Todella pettynyt", "Toimitus myöhästyi eikä kukaan vastannut", "Ei hyvä",
        "Töykeä henkilökunta", "Hajosi viikossa", "Aivan liian kallis", "Ei ikinä enää",
        # hr
        "Užasna usluga", "Jako sam razočaran", "Dostava je kasnila i nitko se nije javio", "Nije dobro",
        "Nepristojno osoblje", "Pokvarilo se nakon tjedan dana", "Previše skupo", "Nikad više",
        # de
        "Schrecklicher Service", "Sehr enttäuscht", "Die Lieferung kam zu spät und niemand hat geantwortet",
        "Nicht gut", "Unfreundliches Personal", "Nach einer Woche kaputt", "Viel zu teuer", "Nie wieder",
    ),
}
