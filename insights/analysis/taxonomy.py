"""The starter taxonomy: common customer-experience themes, each named in the seven languages
and described by example phrases in several languages (matched across languages by the
embedding model) and by keyword stems per language (the lexicon cue and the fallback)."""

from __future__ import annotations

STARTER = (
    {
        "key": "delivery",
        "names": {"en": "Delivery and waiting time", "da": "Levering og ventetid", "sv": "Leverans och väntetid",
                  "nb": "Levering og ventetid", "fi": "Toimitus ja odotusaika",
                  "hr": "Dostava i vrijeme čekanja", "de": "Lieferung und Wartezeit"},
        "examples": (
            "The delivery was late", "My package arrived two weeks late", "Fast delivery, arrived the next day",
            "I had to wait far too long for my order", "The parcel never arrived",
            "Leveringen var forsinket", "Pakken kom aldrig frem", "Hurtig levering", "Lang ventetid på varen",
            "Leveransen var sen", "Snabb leverans, paketet kom dagen efter", "Väntetiden var alldeles för lång",
            "Levering tok altfor lang tid", "Pakken kom raskt", "Måtte vente tre uker på bestillingen",
            "Toimitus kesti liian kauan", "Paketti saapui nopeasti", "Odotin tilaustani kolme viikkoa",
            "Dostava je kasnila", "Paket je stigao brzo", "Predugo sam čekao narudžbu",
            "Die Lieferung kam zu spät", "Schnelle Lieferung", "Ich musste drei Wochen auf das Paket warten",
        ),
    },
    {
        "key": "staff",
        "names": {"en": "Staff and service", "da": "Personale og service", "sv": "Personal och service",
                  "nb": "Personale og service", "fi": "Henkilökunta ja palvelu", "hr": "Osoblje i usluga",
                  "de": "Personal und Service"},
        "examples": (
            "The staff were very friendly and helpful", "Rude employee in the store", "Great service from the team",
            "The technician was professional", "Søde og hjælpsomme medarbejdere", "Personalet var uhøflige",
            "God service i butikken", "Trevlig och kunnig personal", "Otrevlig personal i kassan",
            "Hyggelig og hjelpsom betjening", "De ansatte var uhøflige", "Ystävällinen ja osaava henkilökunta",
            "Myyjä oli töykeä", "Hyvää palvelua liikkeessä", "Ljubazno i susretljivo osoblje",
            "Prodavač je bio nepristojan", "Sehr freundliches und kompetentes Personal",
            "Der Mitarbeiter war unfreundlich", "Der Monteur war sehr professionell",
        ),
    },
    {
        "key": "price",
        "names": {"en": "Price and value", "da": "Pris og værdi", "sv": "Pris och värde", "nb": "Pris og verdi",
                  "fi": "Hinta ja vastine", "hr": "Cijena i vrijednost", "de": "Preis und Preis-Leistung"},
        "examples": (
            "Too expensive", "Good value for money", "The prices have gone up a lot", "Cheaper than the competitors",
            "Alt for dyrt", "Gode priser", "Prisen er for høj i forhold til kvaliteten", "För dyrt",
            "Prisvärt och bra", "Priset har höjts igen", "Altfor dyrt", "Rimelige priser", "Liian kallis",
            "Hinta-laatusuhde on hyvä", "Hinnat ovat nousseet", "Preskupo", "Povoljne cijene",
            "Cijena je previsoka", "Viel zu teuer", "Gutes Preis-Leistungs-Verhältnis", "Die Preise sind gestiegen",
        ),
    },
    {
        "key": "quality",
        "names": {"en": "Product quality", "da": "Produktkvalitet", "sv": "Produktkvalitet", "nb": "Produktkvalitet",
                  "fi": "Tuotteen laatu", "hr": "Kvaliteta proizvoda", "de": "Produktqualität"},
        "examples": (
            "The product broke after a week", "Excellent quality", "Poor build quality", "The item was damaged",
            "Varen gik i stykker efter en uge", "Rigtig god kvalitet", "Produktet var defekt",
            "Produkten gick sönder direkt", "Hög kvalitet på varorna", "Dårlig kvalitet på produktet",
            "Produktet holder god kvalitet", "Tuote hajosi viikossa", "Laatu on erinomainen", "Huono laatu",
            "Proizvod se pokvario nakon tjedan dana", "Odlična kvaliteta", "Loša kvaliteta materijala",
            "Das Produkt ist nach einer Woche kaputt gegangen", "Sehr gute Qualität", "Die Ware war beschädigt",
        ),
    },
    {
        "key": "website",
        "names": {"en": "Website and app", "da": "Hjemmeside og app", "sv": "Webbplats och app",
                  "nb": "Nettside og app", "fi": "Verkkosivusto ja sovellus", "hr": "Web-stranica i aplikacija",
                  "de": "Website und App"},
        "examples": (
            "The website is confusing", "The app keeps crashing", "Easy to order online", "Checkout did not work",
            "Hjemmesiden er svær at finde rundt i", "Appen virker ikke", "Nem at bestille på nettet",
            "Hemsidan är krånglig", "Appen kraschar hela tiden", "Enkelt att beställa på webben",
            "Nettsiden er tungvint", "Appen fungerer dårlig", "Verkkosivu on sekava", "Sovellus kaatuu jatkuvasti",
            "Helppo tilata netistä", "Web stranica je nepregledna", "Aplikacija se stalno ruši",
            "Lako je naručiti online", "Die Website ist unübersichtlich", "Die App stürzt ständig ab",
            "Einfache Bestellung im Onlineshop",
        ),
    },
    {
        "key": "communication",
        "names": {"en": "Customer service and communication", "da": "Kundeservice og kommunikation",
                  "sv": "Kundtjänst och kommunikation", "nb": "Kundeservice og kommunikasjon",
                  "fi": "Asiakaspalvelu ja viestintä", "hr": "Korisnička služba i komunikacija",
                  "de": "Kundenservice und Kommunikation"},
        "examples": (
            "Customer service never answered my email", "Long queue on the phone", "Nobody called me back",
            "Support solved my problem quickly", "Kundeservice svarer aldrig", "Lang telefonkø",
            "Ingen vendte tilbage på min mail", "Kundtjänst svarade snabbt", "Ingen återkoppling från er",
            "Kundeservice var vanskelig å få tak i", "Fikk aldri svar på e-posten", "Asiakaspalvelu ei vastaa",
            "Kukaan ei soittanut takaisin", "Korisnička služba se ne javlja", "Nitko mi nije odgovorio na mail",
            "Der Kundenservice ist nicht erreichbar", "Keine Antwort auf meine E-Mail",
            "Man wird nicht informiert",
        ),
    },
    {
        "key": "billing",
        "names": {"en": "Invoicing and payment", "da": "Fakturering og betaling", "sv": "Fakturering och betalning",
                  "nb": "Fakturering og betaling", "fi": "Laskutus ja maksaminen", "hr": "Naplata i plaćanje",
                  "de": "Rechnung und Zahlung"},
        "examples": (
            "I was charged twice", "The invoice was wrong", "Still waiting for my refund", "Payment failed",
            "Forkert faktura", "Jeg blev trukket to gange", "Venter stadig på min refusion", "Fel på fakturan",
            "Betalningen gick inte igenom", "Fikk feil regning", "Ble belastet to ganger", "Lasku oli väärä",
            "Maksu veloitettiin kahdesti", "Pogrešan račun", "Naplatili su mi dvaput",
            "Die Rechnung war falsch", "Mir wurde doppelt abgebucht", "Ich warte immer noch auf die Rückerstattung",
        ),
    },
)
