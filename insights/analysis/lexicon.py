"""Lexicon cues: sentiment words, negators, intensifiers, contrast words and theme keyword stems
per language. A word ending in `*` is a prefix (stems catch inflection: Finnish, Croatian,
German compounds), any other word matches whole. The lexicons are small and hand-made for
customer comments; they are the fallback when the embedding model is missing and a feature
beside it otherwise."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache

POSITIVE = {
    "en": "works solid simple clear intuitive convenient handy tasty delicious generous accommodating patient "
          "attentive knowledgeable prompt seamless hassle-free spotless tidy good great excellent amazing "
          "awesome fantastic perfect love* lovely nice friendly helpful happy pleased satisfied recommend* best "
          "fast quick quickly easy smooth super brilliant wonderful kind polite professional reliable impressed "
          "outstanding thank* thanks top efficient cheap fair well superb pleasant competent flawless spot-on "
          "gem fab reasonable affordable",
    "da": "virker fornuftig* overskuelig* lynhurtig* gratis nydelig* smuk* flot* praktisk* brugervenlig* "
          "sikker* hjalp hjælpsomme venlige god godt gode fantastisk* fremragende perfekt* super dejlig* sød "
          "søde venlig* hjælpsom* glad tilfreds* anbefal* bedst* hurtig* nem nemt let smidig* fin fint fine "
          "flink* imødekommende professionel* pålidelig* tak top effektiv* billig* fair rimelig* kanon fedt fed "
          "mega skøn* lækker* kompetent* positiv* overrask* glimrende udmærket* problemfri*",
    "sv": "fungerar funkar supersnabb* prisvärd* smidigt kunnig* tydlig* användarvänlig* härlig* läcker* "
          "fräsch* hjälpte bra god gott goda utmärkt* fantastisk* perfekt* super trevlig* snäll* vänlig* "
          "hjälpsam* glad nöjd* rekommender* bäst* snabb* enkel* enkelt smidig* fin fint fina proffsig* "
          "professionell* pålitlig* tack toppen topp effektiv* billig* rimlig* grym* kanon kompetent* positiv* "
          "problemfri* tillmötesgående",
    "nb": "virker fungerer knirkefri* funker kunnskapsrik* nydelig* fornuftig* oversiktlig* brukervennlig* "
          "lettvint* hjalp grei greie bra god godt gode utmerket* fantastisk* perfekt* super hyggelig* snill* "
          "vennlig* hjelpsom* glad fornøyd* anbefal* best beste bestest rask* rask kjapp* enkel* enkelt lett "
          "smidig* fin "
          "fint fine flink* profesjonell* pålitelig* takk topp effektiv* billig* rimelig* knall kjempebra* "
          "strålende kompetent* positiv* problemfri* imøtekommende skryt*",
    "fi": "toimi toimii selkeä* selkeät laaduk* maukas* maukka* herkullinen* herkulli* tuore* auttoi auttava* "
          "avulias hieno* siisti* vaivaton* vaivattom* pätevä* hyvä* hyvin erinomai* loistava* mahtava* "
          "täydellinen* upea* ihana* ystävällinen* ystävällis* avulia* iloinen tyytyväinen* tyytyväi* "
          "suosittel* suositel* paras* parhai* nopea* nopeasti helppo* helposti sujuv* kiva* mukava* ammattitai* "
          "luotettava* kiitos* kiitti halpa* edullinen* edullis* kohtuuhintai* huippu* asiallinen* asiallis* "
          "kätevä* toimiva* joustava* asiantunteva* kohtelias*",
    "hr": "radi pregledn* vrhunsk* pohval* praktičn* fenomenaln* ukusn* pomogl* pomogao ljubazno brza brzo "
          "dobar dobra dobro dobri dobre dobru odličn* izvrsn* savršen* super sjajn* fantastičn* ljubazn* "
          "susretljiv* zadovolj* preporuč* najbolj* brz* jednostavn* lak* lako lijep* lijepo fin fina fino fini "
          "fine profesionaln* "
          "pouzdan* hvala top učinkovit* jeftin* povoljn* korektn* pristojn* ugodn* stručn* odlično izvrsno "
          "preporuka",
    "de": "funktioniert* problemlos* übersichtlich* blitzschnell* lecker* praktisch* pünktlich* sauber* gerne "
          "gern beraten gut gute guter gutes guten super toll* ausgezeichnet* hervorragend* perfekt* prima "
          "freundlich* hilfsbereit* zufrieden* empfehl* weiterempfehl* beste besten bester bestes schnell* "
          "einfach* reibungslos* "
          "nett* professionell* zuverlässig* danke* top effizient* günstig* preiswert* fair* klasse spitze "
          "kompetent* angenehm* unkompliziert* wunderbar* genial* kulant*",
}

NEGATIVE = {
    "en": "ages twice uninterested ignored ignoring careless dirty stuck freez* bug* buggy glitch* overcharg* "
          "forever joke shame poorly apart wobbl* unreliable bad terrible awful horrible poor worst hate* "
          "disappoint* slow late delay* rude unfriendly useless broken broke damaged defect* faulty problem* "
          "issue* complain* annoy* frustrat* angry upset waste expensive overpriced never unhelpful wrong "
          "mistake* error* fail* crash* confusing difficult hard lost missing scam ridiculous unacceptable "
          "incompetent sloppy nightmare rip-off ripoff meh lousy crap crappy pathetic dissatisfied unhappy "
          "worse cancel* refund* nobody",
    "da": "evigheder evighed* smadret* dobbelt* sure crash* hænger uoverskuelig* snavset beskidt uinteresse* "
          "ligeglad* forvirr* ustabil* langsomme dårlig* elendig* forfærdelig* skuffe* langsom* forsinke* sen "
          "sent uhøflig* uvenlig* ubrugelig* ødelagt* defekt* problem* fejl* klage* irriter* frustrer* sur vred "
          "spild dyr dyrt dyre overpris* aldrig forkert* svær* besværlig* bøvl* mangle* væk snyd* latterlig* "
          "uacceptabel* inkompetent* ringe træls utilfreds* værst* værre umulig* rod rodet kaos* sjusk* ingen",
    "sv": "evigheter evighet* krossad* dubbel* sura ointresserad* hänger krasch* nopprig* trög* seg strul* "
          "krångel skämt pinsam* ostabil* rörig* dålig* dåligt usel* hemsk* fruktansvärd* besvik* långsam* "
          "försen* sen sent otrevlig* ovänlig* oförskämd* värdelös* trasig* sönder defekt* problem* fel klag* "
          "irriter* frustrer* arg sur slöseri dyr dyrt dyra överpris* aldrig krånglig* svår* saknas saknade "
          "borta bluff* löjlig* oacceptab* inkompetent* missnöjd* sämst* sämre omöjlig* kaos* slarv* ingen",
    "nb": "evigheter evighet* knust* dobbelt* frekk* uinteressert* henger krasj* seig tull* rotete ustabil* "
          "uoversiktlig* dårlig* elendig* forferdelig* skuffe* treg* langsom* forsink* sen sent uhøflig* "
          "uvennlig* ubrukelig* ødelagt* defekt* problem* feil klage* irriter* frustrer* sur sint sløsing dyr "
          "dyrt dyre overpris* aldri vanskelig* tungvint* mangle* borte svindel* latterlig* uakseptab* "
          "inkompetent* misfornøyd* verst* verre umulig* kaos* slurv* ingen",
    "fi": "ikuisuu* väärä* väärän kahdesti kahteen hajos* hajo* kaatu* jumi* viiv* ryöstö* epäselvä* "
          "välinpitämät* sekav* tylyä kallista huono* huonosti surkea* kamala* kauhea* pettymy* pettyn* petty* "
          "hidas* hitaa* myöhä* myöhässä epäkohtelia* töykeä* tyly* hyödytön* rikki viallinen* vialli* vika* "
          "ongelma* virhe* valit* ärsyttä* turhautta* vihainen kallis* kalliis* ylihinta* koskaan vaikea* "
          "hankala* puuttu* kadon* huijaus* naurettava* kelvoton* epäpätevä* tyytymätön* tyytymättö* pahin* "
          "pahempi mahdoton* sekava* sotku* moit* paha pahaa",
    "hr": "vječnost* kriv* zgnječen* dvaput dvostruk* raspal* ruši srušil* zapel* nezainteresiran* pljačk* "
          "sramot* prljav* nepregledn* zbunjuj* loš* užasn* grozn* katastrof* razočar* spor* sporo kasn* kasni "
          "neljubazn* bezobrazn* nepristojn* beskoristan* pokvar* oštećen* neispravn* problem* greška* greške "
          "grešk* žalb* iritant* frustrir* ljut* skup* skupo preskup* nikad nikada krivo pogrešn* teško težak "
          "komplicir* nedostaj* nestal* prevar* smiješn* neprihvatljiv* nesposobn* nezadovolj* najgor* gore "
          "nemoguć* kaos* nered* zamjer* neugodn*",
    "de": "ewig zerdrückt* zerbrochen* doppelt* desinteressiert* stürzt absturz* hängt frechheit* unverschämt* "
          "dreckig* schmutzig* unzuverlässig* lahm* unübersichtlich* fehlerhaft* schlecht* schrecklich* "
          "furchtbar* katastroph* enttäusch* langsam* spät* verspät* verzöger* unfreundlich* unhöflich* "
          "nutzlos* kaputt* beschädig* defekt* problem* fehler* beschwer* ärger* nervig* frustrier* wütend "
          "sauer verschwendung teuer* überteuert* nie niemals falsch* schwierig* kompliziert* fehlt* fehlte* "
          "verschwunden betrug* lächerlich* inakzeptabel* inkompetent* unzufrieden* schlimmst* schlimmer "
          "unmöglich* chaos* chaotisch* mangelhaft* miserabel* mecker*",
}

# Words that never carry sentiment alone but look like an entry above ("sen" in da/sv/nb is "late",
# yet "ingen" and "never" only count when nothing else speaks).
WEAK = {"works", "virker", "fungerar", "fungerer", "funkar", "funker", "toimi", "toimii", "radi", "funktioniert",
        "never", "nobody", "aldrig", "aldri", "ingen", "koskaan", "nikad", "nikada", "nie", "niemals",
        "problem", "refund", "cancel"}

NEGATORS = {
    "en": "not no never without hardly nothing isn't wasn't don't didn't doesn't aren't weren't can't couldn't "
          "won't wouldn't nor",
    "da": "ikke ikk aldrig ingen intet ingenting uden hverken næppe",
    "sv": "inte ej aldrig ingen inget inga ingenting utan varken knappast",
    "nb": "ikke ikkje aldri ingen intet ingenting uten verken neppe",
    "fi": "ei en et emme ette eivät eikä ilman",
    "hr": "ne nije nisu nisam nismo niste nikad nikada bez nema nemam nimalo niti",
    "de": "nicht nichts kein keine keinen keiner keinem keines nie niemals ohne weder kaum",
}

INTENSIFIERS = {
    "en": "very really so extremely super totally absolutely too incredibly quite",
    "da": "meget rigtig virkelig super helt utrolig* alt for ekstremt total* vildt",
    "sv": "mycket väldigt verkligen riktigt super helt otroligt alldeles för extremt jätte* sjukt",
    "nb": "veldig svært virkelig skikkelig super helt utrolig* altfor ekstremt kjempe* meget",
    "fi": "todella erittäin tosi aivan liian hyvin niin super* ihan tosi",
    "hr": "vrlo jako stvarno baš super potpuno iznimno zaista",
    "de": "sehr wirklich total extrem super absolut echt richtig zu ziemlich äußerst",
}

# Contrast words: what follows them weighs more ("good food, but slow delivery").
CONTRAST = {
    "en": "but however although though yet",
    "da": "men dog selvom omend",
    "sv": "men dock fast även trots",
    "nb": "men likevel selv om skjønt",
    "fi": "mutta kuitenkin vaikka silti",
    "hr": "ali međutim iako no premda",
    "de": "aber jedoch obwohl trotzdem allerdings doch",
}

THEME_KEYWORDS = {
    "delivery": {
        "en": "deliver* shipping shipped shipment* arriv* parcel* package* courier* postman dispatch* transit "
              "tracking wait waited waiting late delay* lead-time",
        "da": "lever* forsink* ventetid* vente ventede venter pakke* fragt* forsendelse* ankom* kom* postnord "
              "gls dao kurer* afsendt* sporing*",
        "sv": "lever* försen* väntetid* vänta* väntade väntar paket* frakt* försändelse* anlän* kom postnord "
              "budbil* skickad* spårning*",
        "nb": "lever* forsink* ventetid* vente ventet venter pakke* frakt* forsendelse* ankom* kom posten bring "
              "sendt sporing*",
        "fi": "toimitu* toimituks* toimitettiin toimitettu* myöhä* odot* paketti* paketin paketit* lähetys* "
              "lähetyk* kuljetu* kuljetuks* saapu* posti* perillä nouto*",
        "hr": "dostav* isporu* kasn* čekan* čeka* čekao čekala paket* pošiljk* stigl* stigao stiže kurir* pošt* "
              "slanj*",
        "de": "liefer* versand* versendet* verspät* wart* gewartet paket* zustell* angekommen ankunft* sendung* "
              "kurier* dhl hermes",
    },
    "staff": {
        "en": "staff employee* personnel team salesperson* seller* cashier* waiter* waitress* driver* "
              "technician* mechanic* consultant* advisor* adviser* clerk* service people crew colleague* he she "
              "guy lady",
        "da": "personale* medarbejder* ansat* ansatte ekspedient* sælger* betjening* chauffør* tekniker* "
              "montør* håndværker* rådgiver* mekaniker* service servicen butik*",
        "sv": "personal* personalen anställd* medarbetar* expedit* säljare* säljaren betjäning* chaufför* "
              "tekniker* montör* hantverkar* rådgivar* mekaniker* service servicen butik*",
        "nb": "personal* personale* ansatt* ansatte medarbeider* ekspeditør* selger* betjening* sjåfør* "
              "tekniker* montør* håndverker* rådgiver* mekaniker* service servicen butikk*",
        "fi": "henkilökun* henkilöku* myyjä* työntekijä* asentaja* kuljettaja* tarjoilija* neuvoja* palvelu "
              "palvelua palvelun palveluun palvelussa kassa* liike* myymälä*",
        "hr": "osoblj* zaposleni* djelatni* prodava* konobar* vozač* tehničar* serviser* monter* savjetni* "
              "usluga usluge uslugom uslugu trgovin* poslovnic*",
        "de": "personal* mitarbeiter* angestellte* verkäufer* bedienung* fahrer* techniker* monteur* "
              "handwerker* berater* beratung* service filiale* laden*",
    },
    "price": {
        "en": "en price* pricing cost* costly expensive cheap* overpriced value afford* discount* rip-off "
              "ripoff bargain worth pricey",
        "da": "da pris* dyr dyrt dyre billig* overpris* værdi* rabat* omkostning* koste* koster prisen priser*",
        "sv": "sv pris* dyr dyrt dyra billig* överpris* värde* rabatt* kostnad* kosta* kostar",
        "nb": "nb pris* dyr dyrt dyre billig* overpris* verdi* rabatt* kostnad* koste* koster",
        "fi": "fi hinta* hinna* hinnan hinnat hintaa kallis* kalliis* halpa* halvalla halvempi edullinen* "
              "edullis* ylihinta* alennu* kustannu* vastine*",
        "hr": "hr cijen* skup* skupo preskup* jeftin* povoljn* popust* troš* košta*",
        "de": "de preis* teuer* überteuert* billig* günstig* preiswert* kosten* kostet rabatt*",
    },
    "quality": {
        "en": "quality product* item* broke broken damaged defect* faulty durable material* build* works "
              "working stopped lasts lasted fabric taste* tasted fresh",
        "da": "kvalitet* produkt* vare varen varer varerne gik i stykker ødelagt* defekt* holdbar* materiale* "
              "virker holder holdt smag* frisk*",
        "sv": "kvalitet* produkt* vara varan varor varorna sönder trasig* defekt* hållbar* material* fungerar "
              "håller höll smak* färsk*",
        "nb": "kvalitet* produkt* vare varen varer varene i stykker ødelagt* defekt* holdbar* materiale* virker "
              "fungerer holder holdt smak* fersk*",
        "fi": "laatu* laadu* laadukas* tuote* tuotte* tuotteen tuotteet rikki hajo* viallinen* vialli* kestä* "
              "materiaali* maku* maistu* tuore*",
        "hr": "kvalitet* proizvod* artikl* roba robe pokvar* oštećen* neispravn* izdržlj* materijal* radi okus* "
              "svjež*",
        "de": "qualität* produkt* artikel ware kaputt* beschädig* defekt* haltbar* material* verarbeitung* "
              "funktioniert geschmack* schmeckt frisch*",
    },
    "website": {
        "en": "website* site web online app apps application login log-in checkout webshop e-shop internet "
              "browser page* portal click* interface",
        "da": "hjemmeside* webside* nettet netbutik* webshop* online app appen appe* login log hjemmesiden "
              "siden side portal* klik*",
        "sv": "hemsida* webbplats* webbsida* webben nätet webbutik* webshop* online app appen appar* "
              "inloggning* logga sidan portal* klick*",
        "nb": "nettside* hjemmeside* nettsted* nettbutikk* nettet webshop* online app appen apper* innlogging* "
              "logge siden portal* klikk*",
        "fi": "verkkosivu* nettisivu* sivusto* verkkokaup* nettikaup* netistä netissä verkossa sovellu* appi* "
              "äppi* kirjautu* sivu* sivuilla",
        "hr": "web stranic* internet* online aplikacij* app prijav* webshop* trgovin*online klik*",
        "de": "website* webseite* internetseite* homepage* onlineshop* online-shop* shop online app login "
              "anmeld* seite portal* klick*",
    },
    "communication": {
        "en": "customer support notif* notice heard call* called phone* email* e-mail* mail chat reply* replied "
              "respond* response* answer* answered contact* inform* information communicat* update* hotline "
              "queue hold callback",
        "da": "kundeservice* kundeservicen support* besked* meddel* orienter* hørt ring* opkald* telefon* mail* "
              "e-mail* chat* svar* besvar* kontakt* information* informer* kommunikation* tilbagemelding* "
              "telefonkø* henvendelse*",
        "sv": "kundtjänst* kundservice* support* besked* meddel* hört ring* samtal* telefon* mejl* mail* "
              "e-post* chatt* svar* besvar* kontakt* information* informer* kommunikation* återkoppling* "
              "telefonkö* ärende*",
        "nb": "kundeservice* kundesenter* support* beskjed* meld* hørt ring* samtal* telefon* mail* e-post* "
              "epost* chat* svar* besvar* kontakt* informasjon* informer* kommunikasjon* tilbakemelding* "
              "telefonkø* henvendelse*",
        "fi": "asiakaspalvelu* asiakastuki* tuki tuen ilmoit* tiedot* kuulu* soit* puhel* sähköpost* viest* "
              "chat* vastau* vastaa* vastannut vastasi yhteyde* yhteyttä tiedo* informaatio* jono*",
        "hr": "korisničk* podršk* služb* obavijest* obavij* obavještava* obavješten* nazv* zov* telefon* mail* "
              "e-mail* poruk* chat* odgovor* odgovori* kontakt* informacij* komunikacij* javi* javlja*",
        "de": "kundenservice* kundendienst* support* hotline* bescheid benachrichtig* gemeldet anruf* angerufen "
              "telefon* mail* e-mail* chat* antwort* beantwort* geantwortet kontakt* information* informiert* "
              "kommunikation* rückmeldung* warteschleife*",
    },
    "billing": {
        "en": "en invoice* bill billed billing charge* charged payment* paid refund* reimburs* card receipt* "
              "debit* credit overcharg* subscription* direct fee* amount",
        "da": "da faktura* regning* betaling* betalt* betale* opkræv* trukket træk* refusion* tilbagebetal* "
              "penge- tilbage kort* kvittering* abonnement* kreditnota* gebyr* beløb*",
        "sv": "sv faktura* räkning* betalning* betalat* betala* debiter* dragit dragna återbetal* kort* kvitto* "
              "abonnemang* kreditfaktura* avgift* belopp*",
        "nb": "nb faktura* regning* betaling* betalt* betale* belast* trukket trekk* refusjon* tilbakebetal* "
              "kort* kvittering* abonnement* kreditnota* gebyr* beløp*",
        "fi": "fi lasku* laskutu* maksu* maksoin maksettu* maksaa veloit* hyvity* palautu* rahat kortti* "
              "kuitti* tilaus* tilau* lisämaksu* summa*",
        "hr": "hr račun* naplat* naplatil* plaćanj* platio platila platiti povrat* kartic* pretplat* teretil* "
              "naknad* iznos*",
        "de": "de rechnung* bezahl* zahlung* gezahlt* abgebucht* abbuchung* lastschrift* erstattung* "
              "rückerstattung* gutschrift* karte* quittung* abo* abonnement* gebühr* betrag*",
    },
}

# Keywords that only name a theme together with a cue of their own theme (too common alone).
THEME_WEAK = {"kom", "wait", "service", "servicen", "team", "he", "she", "guy", "lady", "app", "online", "mail",
              "side", "siden", "sidan", "sivu*", "seite*", "direct", "credit", "card", "kort*", "kortti*",
              "pay*", "money", "penge*", "pengar*", "penger*", "rahaa", "geld", "novac*", "value", "tuki",
              "radi", "works", "working", "virker", "fungerar", "fungerer", "holder", "holdt", "håller", "höll",
              "butik*", "butikk*", "liike*", "laden*", "trgovin*", "kontakt*", "contact*", "tilaus*", "tilau*",
              "vare", "varen", "item*", "email*", "e-mail*", "mail*", "phone*", "telefon*", "mejl*", "e-post*",
              "epost*", "sähköpost*", "puhel*", "product*", "produkt*", "tuote*", "proizvod*", "artikel", "ware",
              "roba", "robe", "log", "klik*", "click*", "klick*", "klikk*", "page*", "abo*"}

_CONJUNCTIONS = frozenset("and og och ja sekä i und sowie".split())
_COMPOUND_PREFIXES = ("jätte", "kjempe", "super", "mega", "lyn", "hyper", "ultra", "über", "sau", "kanon", "knall",
                      "bomben", "toppen", "tosi", "todella", "pre")
NEUTRAL = frozenset("""ok okay okey okej okei average mediocre normal standard usual expected middel middelmådig*
medel medelmåttig* middels greit sådär sånn passe keskinkertai* keskiverto perus tavallinen odotettu*
prosječn* uobičajen* očekiva* durchschnitt* durchschnittlich* mittelmäßig* üblich erwartet forventet väntat
förväntat""".split())
_NEUTRAL_STEMS = tuple(w[:-1] for w in NEUTRAL if w.endswith("*"))
# "neither good nor bad", "hverken godt eller dårligt", "ei hyvä eikä huono", "weder gut noch
# schlecht": a judgement withheld (neutral), not two negated words (which summed to a complaint).
_NEITHER = frozenset("neither hverken varken verken ei ni niti weder".split())
_NOR = frozenset("nor eller eikä ni niti noch".split())
_VERB_SECOND = frozenset(("da", "sv", "nb", "de"))
_BREAKS = frozenset(",.;:!?()")
_EXCESS = frozenset("too altfor alltför liian previše prečesto predugo zu allzu".split())
_DIMINISHERS = frozenset("bit slightly somewhat little lidt smule lite litt något hieman vähän vähä malo "
                         "pomalo etwas bisschen leicht".split())
_MAGNITUDE = frozenset("""long lang lange langt lång långa långt pitkä pitkään pitkä pitkiä kauan dug duga dugo
dugačak high høj høje høy hög höga korkea korkeat visok visoka visoke hoch hohe hohen much many meget mange mycket
många paljon mnogo puno viel viele slow langsom langsam hidas spor sporo late sent sen myöhään kasno spät
complicated kompliceret komplicerad komplisert monimutkainen komplicirano kompliziert expensive dyr dyrt dyre dyra
kallis skupo teuer small lille liten pieni mali malo klein big stor iso velik groß""".split())
_WAIT = ("wait", "queue", "vente", "vänte", "väntan", "kø", "kö", "odotu", "odotus", "jono", "čekanj", "red ",
         "warte", "schlange", "leveringstid", "leveranstid", "toimitusaika", "lieferzeit", "tid", "aika")
_WORD_OR_BREAK = re.compile(r"[\w'-]+|[,.;:!?()]|[\U0001F300-\U0001FAFF\u2600-\u27BF]", re.UNICODE)
_WORD = re.compile(r"[\w'-]+|[\U0001F300-\U0001FAFF\u2600-\u27BF]", re.UNICODE)
_POS_EMOJI = set("😀😃😄😁😊🙂😍🥰👍❤💯🎉👌⭐🌟🤩😎")
_NEG_EMOJI = set("😠😡🤬😞😢😭👎💩😤🙁☹😒🤮😩😫")


def normalize(text: str) -> str:
    text = unicodedata.normalize("NFC", text or "").lower()
    return text.replace("’", "'").replace("n't", " not")


def tokens(text: str) -> list[str]:
    return _WORD.findall(normalize(text))


@dataclass(frozen=True)
class _Matcher:
    exact: frozenset
    prefixes: tuple

    def __contains__(self, token: str) -> bool:
        return token in self.exact or any(token.startswith(p) for p in self.prefixes)

    def match(self, token: str) -> str | None:
        if token in self.exact:
            return token
        for p in self.prefixes:
            if token.startswith(p):
                return p + "*"
        return None


def _matcher(words: str) -> _Matcher:
    items = words.split()
    return _Matcher(frozenset(w for w in items if not w.endswith("*")),
                    tuple(sorted({w[:-1] for w in items if w.endswith("*")}, key=len, reverse=True)))


@cache
def _lang_matchers(lang: str) -> dict[str, _Matcher]:
    lang = lang if lang in POSITIVE else "en"
    # Every language's words count in every comment (people mix languages), its own first.
    return {
        "pos": _matcher(POSITIVE[lang]), "neg": _matcher(NEGATIVE[lang]), "negator": _matcher(NEGATORS[lang]),
        "intens": _matcher(INTENSIFIERS[lang]), "contrast": _matcher(CONTRAST[lang]),
        "en_pos": _matcher(POSITIVE["en"]), "en_neg": _matcher(NEGATIVE["en"]),
        "en_negator": _matcher(NEGATORS["en"]),
    }


@cache
def _theme_matchers(lang: str) -> dict[str, tuple[_Matcher, _Matcher]]:
    lang = lang if lang in POSITIVE else "en"
    out = {}
    for key, per_lang in THEME_KEYWORDS.items():
        words = per_lang.get(lang, "") + (" " + per_lang["en"] if lang != "en" else "")
        strong = " ".join(w for w in words.split() if w not in THEME_WEAK)
        weak = " ".join(w for w in words.split() if w in THEME_WEAK)
        out[key] = (_matcher(strong), _matcher(weak))
    return out


@dataclass(frozen=True)
class Cues:
    score: float          # signed: > 0 positive, < 0 negative
    positive: float       # evidence for positive (after negation)
    negative: float       # evidence for negative (after negation)
    negated: int          # how many sentiment words a negator turned
    neutral: int = 0      # "ok", "average", "as expected": words that say "neither"


def sentiment_cues(lang: str, text: str) -> Cues:
    """Sums word polarities with negation (a negator turns the next three words: "not bad",
    "ikke dårlig", "ei huono"; a comma or "and" ends it), intensifiers and diminishers ("a bit
    expensive" counts half), excess ("too long", "alt for lang", "liian pitkä": negative),
    emoji, and contrast (after "but" the words count 1.5 times, before it 0.7)."""
    m = _lang_matchers(lang)
    toks = _WORD_OR_BREAK.findall(normalize(text))
    pos = neg = 0.0
    negated = 0
    negate_left = 0
    boost = 1.0
    excess = False
    weight = 1.0
    last: tuple[int, float] | None = None  # the last polar word: (index, value)
    neutral = 0
    withheld = _neither_nor(m, toks)
    neutral += bool(withheld)
    for index, tok in enumerate(toks):
        if index in withheld:
            continue
        if tok in _POS_EMOJI:
            pos += 1.0
            continue
        if tok in _NEG_EMOJI:
            neg += 1.0
            continue
        if tok in _BREAKS or tok in _CONJUNCTIONS:  # "no queue, quick help": the negation ends here
            negate_left = 0
            boost = 1.0
            excess = False
            continue
        if tok in m["contrast"]:
            weight = 1.5
            pos *= 0.7
            neg *= 0.7
            negate_left = 0
            continue
        if tok in NEUTRAL or tok.startswith(_NEUTRAL_STEMS):
            neutral += 1
            continue
        if tok in _EXCESS or (tok in ("for", "för") and index + 1 < len(toks) and toks[index + 1] in _MAGNITUDE):
            excess = True
            continue
        if tok in _DIMINISHERS:
            boost = 0.5
            continue
        is_pos, is_neg = _signs(m, tok)
        if not (is_pos or is_neg) and tok.startswith(_COMPOUND_PREFIXES) and len(tok) > 7:
            rest = tok[next(len(p) for p in _COMPOUND_PREFIXES if tok.startswith(p)):]
            is_pos, is_neg = rest in m["pos"], rest in m["neg"]  # "jättetrevlig", "kjempegod"
            if tok.startswith("pre") and rest in _MAGNITUDE:  # "previsoka", "predugo": too high, too long
                is_pos, is_neg = False, True
            if is_pos or is_neg:
                boost = 1.5
        if tok in m["negator"] or tok in m["en_negator"]:
            if last is not None and last[0] == index - 1 and lang in _VERB_SECOND:
                # "virker ikke", "funkar inte", "funktioniert nicht": the negator follows the verb
                value = last[1]  # a working thing that does not work is a complaint, weak word or not
                pos, neg = (pos - value, neg + max(value, 1.0)) if value > 0 else (pos - value * 0.8, neg + value)
                negated += 1
                last = None
                continue
            if is_neg and not negate_left:  # "never", "ingen" alone are mildly negative
                neg += 0.3 * weight
            negate_left = 3
            continue
        if tok in m["intens"] and not (is_pos or is_neg):
            boost = 1.5
            continue
        value = 0.0
        if is_pos and not is_neg:
            value = 1.0
        elif is_neg and not is_pos:
            value = -1.0
        if tok in WEAK:
            value *= 0.5
        if excess and (tok in _MAGNITUDE or value):
            value = -1.0  # "too long", "too expensive", even "too good to be true" reads as a complaint
            excess = False
        elif not value and tok in _MAGNITUDE and _waits(toks, index):
            value = -1.0  # "long wait", "lång väntetid", "pitkä odotusaika"
        if value:
            value *= boost * weight
            negated_now = bool(negate_left)
            if negate_left:
                negated += 1
                value = -value * (0.8 if value < 0 else 1.0)
                negate_left = 0
            if value > 0:
                pos += value
            else:
                neg -= value
            last = (index, value) if not negate_left and not negated_now else None
            boost = 1.0
        elif negate_left:
            negate_left -= 1
    if "!" in text and (pos or neg):
        pos, neg = (pos * 1.2, neg) if pos > neg else (pos, neg * 1.2)
    return Cues(score=pos - neg, positive=pos, negative=neg, negated=negated, neutral=neutral)


def _signs(m, tok: str) -> tuple[bool, bool]:
    """(positive, negative) for a word of the language's or English's lexicon."""
    is_pos = tok in m["pos"] or tok in m["en_pos"]
    is_neg = tok in m["neg"] or tok in m["en_neg"]
    if is_pos and is_neg:  # "problemlos" is "problem*" and "problemlos*": the longer stem wins
        p_len, n_len = _stem_len(tok, m["pos"], m["en_pos"]), _stem_len(tok, m["neg"], m["en_neg"])
        is_pos, is_neg = p_len > n_len, n_len > p_len
    return is_pos, is_neg


def _polarity(m, tok: str) -> int:
    is_pos, is_neg = _signs(m, tok)
    return 0 if is_pos == is_neg else (1 if is_pos else -1)


def _neither_nor(m, toks: list[str]) -> set[int]:
    """The token positions of "neither A nor B" where A and B are polar words of opposite signs
    (one word each, or two with a word between: "hverken særlig godt eller dårligt")."""
    out: set[int] = set()
    for i, tok in enumerate(toks):
        if tok not in _NEITHER:
            continue
        for j in range(i + 2, min(i + 4, len(toks))):
            if toks[j] not in _NOR:
                continue
            a = next((_polarity(m, t) for t in toks[i + 1:j] if _polarity(m, t)), 0)
            k = next((k for k in range(j + 1, min(j + 3, len(toks))) if _polarity(m, toks[k])), None)
            if a and k is not None and _polarity(m, toks[k]) == -a:
                out.update(range(i, k + 1))
            break
    return out


def _stem_len(tok: str, *matchers: _Matcher) -> int:
    best = 0
    for matcher in matchers:
        hit = matcher.match(tok)
        if hit:
            best = max(best, 1000 if not hit.endswith("*") else len(hit) - 1)
    return best


def _waits(toks: list[str], index: int) -> bool:
    return any(t.startswith(_WAIT) for t in toks[index + 1:index + 3])


def theme_cues(lang: str, text: str) -> dict[str, float]:
    """Keyword evidence per theme: 1 per strong keyword, 0.4 per weak one."""
    toks = tokens(text)
    out = {}
    for key, (strong, weak) in _theme_matchers(lang).items():
        score = sum(1.0 for t in toks if t in strong) + sum(0.4 for t in toks if t in weak)
        if score:
            out[key] = score
    return out


# Function words, pronouns, auxiliaries and time words of the seven languages (every language's
# list applies to every comment: people mix languages). Sentiment words come from the lexicon.
STOP_WORDS = frozenset("""
a an the and or but if so as at by for from in into of on onto to with without about after before over under
up down out off than then too very really just also only even still again ever never always often sometimes
is am are was were be been being have has had having do does did doing will would shall should can could may
might must i me my mine we us our ours you your yours he him his she her hers it its they them their theirs
this that these those there here where when what which who whom whose why how all any both each every few more
most other some such no nor not own same one two three first last next time times day days week weeks today
yesterday tomorrow now yet already much many lot lots thing things something anything everything nothing
way get got getting go going went gone make made come came take took see saw say said think thought know
fler flere mer mere mehr više enemmän lisää los please gerne gärna gjerne molim bitte thanks thank pretty quite
rather bit little lol ok okay yes new need needs right
og i jeg du han hun den det de vi man mig dig ham hende os jer dem min mit mine din dit dine sin sit sine vores
jeres deres er var være været har havde have kan kunne vil ville skal skulle må måtte bliver blev blive
en et til fra på af med om for ved hos under over efter før siden mod uden hvis når som der her hvor hvad hvem
hvorfor hvordan men eller så også meget mere mest lidt ikke aldrig altid nu da jo nok bare kun igen endnu
hele helt alle alt nogle noget ingen intet andre anden andet denne dette disse sådan godt gang gange dag dage
uge uger år tid lige faktisk virkelig rigtig lidt får fik gøre gjorde kom komme går gik kl hver
och jag du han hon den det de vi man mig dig honom henne oss er dem min mitt mina din ditt dina sin sitt sina
vår vårt våra är var vara varit har hade ha kan kunde vill ville ska skulle måste blir blev bli ett till från
på av med om för vid hos under över efter före sedan mot utan när som där här vad vem varför hur eller också
mycket mer mest lite inte aldrig alltid nu då ju nog bara igen ännu hela helt alla allt några något ingen inget
andra annan annat denna detta dessa sådan gång gånger dag dagar vecka veckor år tid verkligen får fick göra
gjorde kom komma går gick att ni få
jeg meg deg ham henne oss dere dem mitt mine ditt dine sitt sine vår vårt våre deres være vært hadde skulle
må måtte blir ble bli fra av ved etter før siden uten hvis når hvor hva hvem hvorfor hvordan eller også mye
mer mest litt ikke aldri alltid nå jo bare igjen ennå hele alle alt noen noe ingen ingenting andre annen annet
denne dette disse slik gang ganger dager uke uker veldig skikkelig kjempe får fikk gjøre gjorde komme gikk
inn rett
ja tai mutta kun kuin että jos niin myös vain jo vielä aina koskaan nyt sitten on ole oli olivat ovat olla
ollut olen olet olemme olette ei en et emme ette eivät minä sinä hän me te he minun sinun hänen meidän teidän
heidän minulla meillä se ne tämä tuo nämä nuo tässä siellä täällä mitä mikä kuka miksi miten joka jotka kaikki
kaikkea mitään jotain mikään paljon vähän liian tosi todella erittäin hyvin ihan aivan kyllä päivä viikko
kertaa aika taas vaan vasta sekä eli joten koska vaikka
i a ali ili da je su sam si smo ste bio bila bilo bili biti ću će ćemo nije nisu nisam ne ja ti on ona mi vi
oni moj moja moje tvoj naš vaš njihov taj ta to ovaj ova ovo koji koja koje što kako gdje kada zašto sve svi
sva svaki neki nešto ništa još već samo uvijek nikad nikada sada onda opet jako vrlo baš puno malo više manje
na u od do za sa s iz po pri kod nakon prije preko bez kroz dan dana tjedan puta vrijeme put
der die das den dem des ein eine einer einen einem eines und oder aber wenn als wie so auch nur noch schon
immer nie nicht kein keine ist sind war waren sein gewesen hat haben hatte hatten wird werden wurde wurden
kann können konnte muss müssen soll sollte sollten will wollen würde würden möchte ich du er sie es wir ihr
mich dich ihn uns euch mir dir ihm ihnen mein meine meinen dein deine unser unsere ihre ihren zu von mit bei
nach vor für über unter durch gegen ohne um an auf aus im am zum zur vom beim ins da dort hier was wer warum
wo wann alles alle etwas nichts man sehr ganz viel viele mehr mal jetzt dann wieder bitte danke tag tage
woche wochen jahr zeit gibt gab geht ging kommt kam macht gemacht einfach eigentlich wirklich leider dass
""".split()) | frozenset(  # where it happened, said in every comment whatever its topic
    """shop shops store stores butik butikken butikkerne butiken butiker butikk butikkene affär affären kauppa kaupassa
kaupan kaupasta kauppaan liike liikkeessä trgovina trgovini trgovine trgovinu dućan laden ladens geschäft filiale
markt""".split())


def is_content_word(lang: str, word: str) -> bool:
    """A word that can carry a topic: no function word, number, neutral or sentiment word (of
    `lang`'s lexicon and English's). The key phrases of suggestions and the keywords of an
    organization's own themes are made of these."""
    cues = _lang_matchers(lang)
    return (len(word) >= 2 and word not in STOP_WORDS and not any(ch.isdigit() for ch in word)
            and word.strip("'-") == word and word not in NEUTRAL
            and not any(word in cues[k] for k in ("pos", "neg", "negator", "intens", "en_pos", "en_neg")))


# ---------------------------------------------------------------- phrases whose words mislead
# Matched on the folded text (lower case, diacritics dropped, æ → ae, ø → o, ß → ss, đ → d, "n't" →
# " not"), each language's own and English. Loyalty is said with a negator and a word of leaving
# ("no reason to switch", "ser ingen anledning att byta"), leaving with no sentiment word at all
# ("har redan börjat kolla på andra banker", "vaihdan"), giving up likewise ("55 minutes on hold.
# Gave up."); a sarcastic closer is praise after a complaint ("Tredje veckan. Toppen.").
LOYAL = {
    "en": r"no reason to (switch|change|leave|move|go)|never looked back|(would|will) not (switch|change|leave|go "
          r"anywhere else)|not (going|planning) to (switch|leave|change)|(customer|member|client|with (you|them|"
          r"\w+)) (since|for \w+ years)|(\d+|many|ten|fifteen|twenty) years (as a (customer|member)|with (you|them))"
          r"|stay(ing)? with (you|them)|never regrett?ed",
    "da": r"ingen grund til at (skifte|bytte)|(skifter|skifte|bytter) ikke|ville (aldrig|ikke) (skifte|bytte)"
          r"|(kunde|medlem) (siden|i \d+ ar)|\d+ ar som kunde|bliver hos|aldrig fortrudt",
    "sv": r"(ingen|inte nagon) anledning att byta|varfor skulle jag byta|(byter|byta) (aldrig|inte)|(aldrig|inte)"
          r" (en tanke pa att |tankt |velat |vilja )?byta|(kund|medlem) (sedan|sen|i \d+ ar)|\d+ ar som kund"
          r"|stannar (kvar|hos)|aldrig angrat",
    "nb": r"ingen grunn til a bytte|(bytter|bytte) (aldri|ikke)|(aldri|ikke) (tenkt a |tenke pa a )?bytte"
          r"|(kunde|medlem) (siden|i \d+ ar)|\d+ ar som kunde|har vaert kunde|blir (hos|vaerende)|aldri angret",
    "fi": r"ei (ole )?(mitaan )?syyta vaihtaa|en (aio|halua|ajattele) vaihtaa|en vaihda|en vaihtaisi"
          r"|asiakkaana (vuodesta|jo)|vuotta asiakkaana|asiakas vuodesta|en ole katunut|pysyn (asiakkaana|teilla)",
    "hr": r"nema razloga (za promjenu|mijenjati|promijeniti)\w*|ne bih (to |ovo |vas )?(mijenja|promijeni)\w*"
          r"|ne planiram (mijenjati|promijeniti)\w*|(korisnik|klijent|kupac|clan) (od|vec|sam vec) \d+"
          r"|\d+ godina (sam )?(korisnik|klijent|kupac|s vama)|ostajem (s vama|kod vas|vjeran|vjerna)",
    "de": r"keine?n? grund (zu|zum) wechse\w*|(wechsle|wechseln|wechsele) (ich )?nicht|(kunde|mitglied) seit"
          r"|seit \d+ jahren (kunde|dabei|mitglied|bei)|bleibe? (treu|dabei)|nie bereut",
}
CHURN = {
    "en": r"(switch|switching|moving|changing|going|move|go) (over )?to (another|a competitor|a different|the "
          r"competition)|look(ing)? (at|for|around for) (other|another|a new|different) |shop(ping)? around"
          r"|(go|going|take|taking|shop|shopping) (it |my business )?elsewhere"
          r"|cancel+(ed|ing)? (my|the|our) (account|subscription|membership|contract|order)"
          r"|take my (business|money)|leaving (you|for)|i am leaving|never again"
          r"|(will|would) not be (back|returning)|not coming back|(will|would) not (order|shop|buy|come|use|go)"
          r" \w* ?(here|again|from you|there)",
    "da": r"(skifter|skifte|bytter|bytte) (til(?! jer| dig| os)|bank|udbyder|selskab|forsikring)|nu skifter jeg"
          r"|(kigger|kigge|ser) (pa|efter) (andre|en anden|et andet)"
          r"|(opsig|opsag)\w*|sidste gang|aldrig igen|kommer ikke igen",
    "sv": r"(byter|byta) (till(?! er| dig| oss)|bank|operator|leverantor|bolag|elbolag|forsakring)|nu byter jag"
          r"|(kolla|kollar|kikar|tittar|titta) (pa|efter) (andra|ett annat|en annan)|kollar runt"
          r"|(saga|sager|sagt|sade) upp"
          r"|sista gangen|aldrig mer|aldrig igen|kommer inte tillbaka",
    "nb": r"(bytter|bytte) (til(?! dere| deg| oss)|bank|leverandor|selskap|forsikring)|na bytter jeg"
          r"|(ser|sjekker|kikker) (pa|etter) (andre|en annen|et annet)|(si|sier|sagt|sa) opp|siste gang"
          r"|aldri mer|aldri igjen|kommer ikke tilbake",
    "fi": r"vaihdan|vaihdamme|vaihtamassa|vaihtaa (toiseen|muualle|kilpailija\w*)|lahden muualle"
          r"|katselen muita|irtisano\w*|viimeinen kerta"
          r"|(ei|en) (enaa )?(ikina|koskaan) enaa|en tule enaa",
    "hr": r"mijenjam|prelazim (na|u|kod|drug)|prebacujem se|(drugu|drugi) (banku|operater|"
          r"dobavljac)|otkaz|raskid|zadnji put|nikad vise|nikada vise|necu vise doci",
    "de": r"wechsle|wechsele|(wechseln|wechsel) (jetzt|bald|demnachst)|(gekundigt|kundige|kundigung)"
          r"|nach alternativen|(das )?letzte mal"
          r"|nie wieder|nicht mehr (bestellen|kaufen|kommen|buchen)",
}
GAVE_UP = {
    "en": r"gave up|giving up|give up|hung up",
    "da": r"gav op|opgav|giver op|lagde pa",
    "sv": r"gav upp|ger upp|lade pa|la pa luren",
    "nb": r"ga opp|gav opp|gir opp|la pa",
    "fi": r"luovutin|luovutti|luovuimme|annoin periksi|lopetin puhelun",
    "hr": r"odust\w*",
    "de": r"aufgegeben|gebe auf|gab auf|aufgelegt",
}
# Closers that are sarcastic after a complaint (alone, as a last or first sentence).
SARCASTIC = {
    "en": r"great|brilliant|fantastic|lovely|perfect|nice|wonderful|superb|cheers|marvell?ous|amazing|super|awesome"
          r"|thanks|thank you|thanks a lot|well done|nice one|good job|great job|bravo|just great|top service"
          r"|love it|classy|impressive|genius",
    "da": r"super|fantastisk|dejligt|perfekt|herligt|flot|flot klaret|godt klaret|godt gaet|tak for det"
          r"|mange tak|tak|sejt|skont|fedt|top",
    "sv": r"toppen|trevligt|snyggt|snyggt jobbat|bra jobbat|tack for det|tack sa mycket|tack|kanon|grattis"
          r"|harligt|stralande|perfekt|underbart|super|fantastiskt|lysande",
    "nb": r"takk for det|takk|tusen takk|flott|supert|stralende|herlig|godt jobba|bra jobba|bra jobbet"
          r"|fantastisk|perfekt|topp|knall|imponerende",
    "fi": r"kiitti vaan|kiitos vaan|kiitos tasta|kiitos paljon|kiitos|hienoa|mahtavaa|loistavaa|huippua|upeaa"
          r"|hyva homma|hieno homma|kiva|kiitti|hieno suoritus|onnittelut",
    "hr": r"hvala lijepa|hvala|bravo|svaka cast|odlicno|super|sjajno|prekrasno|divno|bas lijepo|cestitam|top",
    "de": r"danke auch|vielen dank auch|danke|super|toll|na toll|klasse|spitze|bravo|prima|grossartig"
          r"|herzlichen gluckwunsch|gut gemacht|wunderbar|perfekt|sauber",
}
# Closers that are sarcastic after anything but praise ("Die Chefetage streicht das Weihnachtsgeld. Danke auch.").
SARCASTIC_ALWAYS = r"danke auch|vielen dank auch|kiitti vaan|kiitos vaan|kiitti kauheesti|thanks a bunch" \
                   r"|cheers for that|tack for inget|takk for ingenting|hvala lijepa|hvala na tome"
THANKS_FOR_NOTHING = r"thanks for nothing|tak for ingenting|tack for ingenting|takk for ingenting|kiitos ei mistaan" \
                     r"|hvala na nicemu|danke fur nichts|tak for intet"
# A complaint without a sentiment word: a long wait, again ("Tredje veckan. Toppen.").
LONG_WAIT = r"weeks|months|hours|again|still|third|fourth|yet another|uger|maneder|timer|igen|stadig|tredje|fjerde" \
            r"|veckor|manader|timmar|fortfarande|uker|maneder|igjen|fortsatt|viikko|viikkoa|kuukau|tuntia|taas" \
            r"|edelleen|kolmas|kolmatta|neljas|tjed|mjesec|sati|opet|jos uvijek|treci|cetvrti|wochen|monate" \
            r"|stunden|wieder" \
            r"|immer noch|dritte|vierte|schon wieder"
_PHRASE_FOLD = str.maketrans({"æ": "ae", "ø": "o", "œ": "oe", "ß": "ss", "đ": "d", "ł": "l", "ð": "d", "þ": "th"})


def fold(text: str) -> str:
    """Lower case, "n't" → " not", diacritics dropped (æ → ae, ø → o, ß → ss, đ → d)."""
    text = normalize(text).translate(_PHRASE_FOLD)
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


@cache
def _phrase_patterns(lang: str) -> dict[str, re.Pattern]:
    lang = lang if lang in POSITIVE else "en"

    def both(table):
        own = table[lang]
        return re.compile(r"\b(" + own + ("|" + table["en"] if lang != "en" else "") + r")\b")

    return {"loyal": both(LOYAL), "churn": both(CHURN), "gave_up": both(GAVE_UP),
            "closer": re.compile(r"^((oh|ah|wow|just|na|no|ja) )?(" + SARCASTIC[lang]
                                 + ("|" + SARCASTIC["en"] if lang != "en" else "")
                                 + r")( (again|then|ledningen|igen|taas|opet|wieder|nochmal))?[ !.]*$"),
            "always": re.compile(r"^(" + SARCASTIC_ALWAYS + r")[ !.]*$"),
            "long": re.compile(r"\b(" + LONG_WAIT + r")"),
            "nothing": re.compile(r"\b(" + THANKS_FOR_NOTHING + r")\b")}


@dataclass(frozen=True)
class PhraseCues:
    loyal: bool
    churn: bool
    gave_up: bool
    sarcasm: bool


def phrase_cues(lang: str, text: str) -> PhraseCues:
    """Loyalty, leaving, giving up and a sarcastic closer after a complaint, from phrases."""
    p = _phrase_patterns(lang)
    folded = fold(text)
    loyal = bool(p["loyal"].search(folded))
    churn = not loyal and bool(p["churn"].search(folded))
    gave_up = bool(p["gave_up"].search(folded))
    sarcasm = bool(p["nothing"].search(folded))
    sentences = [s.strip() for s in re.split(r"[.!?\n]+|,", folded) if s.strip()]
    if not sarcasm and len(sentences) >= 2:
        for closer, rest in ((sentences[-1], sentences[:-1]), (sentences[0], sentences[1:])):
            if p["closer"].match(closer) or p["always"].match(closer):
                rest_text = ". ".join(rest)
                score = sentiment_cues(lang, rest_text).score
                always = score <= 0 and closer == sentences[-1] and p["always"].match(closer)
                if score <= -1.0 or always or p["churn"].search(rest_text) or p["gave_up"].search(rest_text) \
                        or p["long"].search(rest_text):
                    sarcasm = True
                    break
    return PhraseCues(loyal=loyal, churn=churn, gave_up=gave_up, sarcasm=sarcasm)
