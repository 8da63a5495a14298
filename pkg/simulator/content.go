package simulator

// The vocabulary the generator draws from. Weights are relative.

type weighted[T any] struct {
	value  T
	weight int
}

// localeChoice: "" with present=false is a missing key, "null" a JSON null, "empty" an empty string.
type localeChoice struct {
	code string
	mode localeMode
}

type localeMode int

const (
	localePresent localeMode = iota
	localeNull
	localeMissing
	localeEmpty
)

var locales = []weighted[localeChoice]{
	{localeChoice{"en_us", localePresent}, 46},
	{localeChoice{"en_gb", localePresent}, 10},
	{localeChoice{"de_de", localePresent}, 10},
	{localeChoice{"fr_fr", localePresent}, 8},
	{localeChoice{"es_es", localePresent}, 7},
	{localeChoice{"ja_jp", localePresent}, 5},
	{localeChoice{"pt_br", localePresent}, 5},
	{localeChoice{"", localeNull}, 4},
	{localeChoice{"", localeMissing}, 3},
	{localeChoice{"", localeEmpty}, 2},
}

// outcome is how a conversation ends; it decides the terminal tag and the last message.
type outcome int

const (
	outcomeResolved outcome = iota
	outcomeLiveChat
	outcomeInformed
	outcomeAbandoned
)

var outcomes = []weighted[outcome]{
	{outcomeResolved, 45},
	{outcomeLiveChat, 15},
	{outcomeInformed, 22},
	{outcomeAbandoned, 18},
}

type topic struct {
	question string
	answer   string
}

// topicsByLocale keeps questions in the conversation's language, unicode included.
var topicsByLocale = map[string][]topic{
	"en": {
		{"my camera is offline", "Let's get your camera back online. Unplug it for 10 seconds, then plug it back in."},
		{"Tell me about Comfort Headphones", "Here are the details for Comfort Headphones:\n\n💲 Price: $89.99\n📦 In Stock: Yes"},
		{"how do I reset my password", "You can reset your password from Settings > Account > Reset password."},
		{"where is my order #4411?", "Your order #4411 shipped yesterday and arrives on Friday 🚚"},
		{"cancel my subscription", "I can help with that. Your plan stays active until the end of the billing period."},
		{"the app crashes on startup", "Sorry about that! Please update to the latest version and try again."},
		{"refund for a double charge", "I see two charges. A refund of the duplicate is on its way."},
	},
	"de": {
		{"Meine Kamera ist offline", "Trennen Sie die Kamera für 10 Sekunden vom Strom."},
		{"Wo ist meine Bestellung?", "Ihre Bestellung ist unterwegs 🚚"},
		{"Passwort zurücksetzen", "Unter Einstellungen > Konto können Sie Ihr Passwort zurücksetzen."},
	},
	"fr": {
		{"ma caméra est hors ligne", "Débranchez la caméra pendant 10 secondes."},
		{"où est ma commande ?", "Votre commande est en route 🚚"},
	},
	"es": {
		{"mi cámara está desconectada", "Desconecte la cámara durante 10 segundos."},
		{"¿dónde está mi pedido?", "Su pedido está en camino 🚚"},
	},
	"ja": {
		{"カメラがオフラインです", "カメラの電源を10秒間抜いてください。"},
		{"注文はどこですか？", "ご注文は発送済みです 🚚"},
	},
	"pt": {
		{"minha câmera está offline", "Desconecte a câmera por 10 segundos."},
		{"onde está meu pedido?", "Seu pedido está a caminho 🚚"},
	},
}

var greetings = map[string]string{
	"en": "Hello 👋 I am a virtual assistant. How can I help you?",
	"de": "Hallo 👋 Ich bin ein virtueller Assistent. Wie kann ich helfen?",
	"fr": "Bonjour 👋 Je suis un assistant virtuel. Comment puis-je vous aider ?",
	"es": "Hola 👋 Soy un asistente virtual. ¿En qué puedo ayudarle?",
	"ja": "こんにちは 👋 バーチャルアシスタントです。ご用件は何でしょうか？",
	"pt": "Olá 👋 Sou um assistente virtual. Como posso ajudar?",
}

var followUps = []string{
	"it still does not work",
	"ok, what next?",
	"can you explain that again",
	"I tried that already",
	"thanks!",
	"yes",
	"no",
}

var visitorTypes = []string{"new", "repeat"}
var screenResolutions = []string{"1728x1117", "1920x1080", "390x844", "1440x900", "2560x1440"}
var channels = []weighted[string]{{"web", 70}, {"ios", 15}, {"android", 15}}
var plans = []weighted[string]{{"free", 50}, {"pro", 35}, {"enterprise", 15}}
