// Package simulator serves a deterministic imitation of the AgentX Support Export
// API over HTTP. The demo, the tests and the benchmarks run against it, and tests
// compute their expected numbers from its data through Dataset, not through the
// plugin's code.
package simulator

import (
	"encoding/binary"
	"encoding/hex"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"time"
)

// Conversation is one generated conversation, as the API would show it at some moment.
type Conversation struct {
	ID    string
	Bot   string
	Start time.Time
	// Locale is the locale code; LocaleMode says whether the record carries it,
	// a null, an empty string or no key at all.
	Locale     string
	LocaleMode localeMode
	Tags       []string
	// TagsMode says how a conversation without tags is written: [], null or no key.
	TagsMode         tagsMode
	UserMessageCount int
	// HasUserMessageCount is false for records that omit userMessageCount.
	HasUserMessageCount bool
	// Metadata is the record's metadata object as JSON; nil means "metadata": null.
	Metadata     []byte
	LastActionAt time.Time
	Messages     []Message
}

type tagsMode int

const (
	tagsList tagsMode = iota
	tagsNull
	tagsMissing
)

// Message is one generated message.
type Message struct {
	ID             string
	ConversationID string
	Time           time.Time
	Type           string
	UserInput      string
	// UserInputJSON, when set, is a structured input (a form) sent as a JSON object.
	UserInputJSON  []byte
	UserActionType string
	Steps          []string
	Options        []string
}

// LocaleGroup is the locale a grouping shows: "" when the record carries none.
func (c *Conversation) LocaleGroup() string {
	if c.LocaleMode == localePresent {
		return c.Locale
	}
	return ""
}

// Config shapes the generated data.
type Config struct {
	// Bots the API knows. Each bot's data is independent.
	Bots []string
	// Days of history before Now.
	Days int
	// PerHour is the mean number of conversations a bot starts in an hour.
	PerHour float64
	// Sizes scale PerHour per bot (a bot not named starts PerHour): a fleet has
	// a large bot beside small ones.
	Sizes map[string]float64
	Seed  uint64
	// Now is the API's clock; nil means time.Now. Data reaches up to Now and
	// conversations still under way at Now show only what has happened so far.
	Now func() time.Time
}

// Dataset generates conversations hour by hour, deterministically from the seed, the
// bot and the hour, so any window is cheap to produce and the data moves with Now.
type Dataset struct {
	cfg     Config
	botKeys map[string]uint64

	// historyStart is fixed when the dataset is made: as its clock moves, data
	// grows at the recent end and never vanishes at the old one, like a real account.
	historyStart time.Time

	mu    sync.Mutex
	hours map[hourKey][]Conversation
}

type hourKey struct {
	bot  string
	hour int64
}

const (
	maxCachedHours = 1024
	// maxConversationSpan bounds how long after its start a conversation's last
	// message can come; messages exports look back this far for conversations.
	maxConversationSpan = 2 * time.Hour
)

// NewDataset returns a dataset with defaults filled in.
func NewDataset(cfg Config) *Dataset {
	if len(cfg.Bots) == 0 {
		cfg.Bots = []string{"r3-218210"}
	}
	if cfg.Days <= 0 {
		cfg.Days = 30
	}
	if cfg.PerHour <= 0 {
		cfg.PerHour = 40
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	d := &Dataset{cfg: cfg, botKeys: map[string]uint64{}, hours: map[hourKey][]Conversation{}}
	d.historyStart = cfg.Now().Add(-time.Duration(cfg.Days) * 24 * time.Hour).Truncate(time.Hour)
	for _, b := range cfg.Bots {
		h := fnv.New64a()
		_, _ = h.Write([]byte(b))
		d.botKeys[b] = h.Sum64() ^ cfg.Seed*0x9e3779b97f4a7c15
	}
	return d
}

// Now is the dataset's clock.
func (d *Dataset) Now() time.Time {
	return d.cfg.Now()
}

// Bots lists the known bots.
func (d *Dataset) Bots() []string {
	return slices.Clone(d.cfg.Bots)
}

// HasBot reports whether the API knows bot.
func (d *Dataset) HasBot(bot string) bool {
	_, ok := d.botKeys[bot]
	return ok
}

// HistoryStart is the first instant that holds data: Days before the dataset was made.
func (d *Dataset) HistoryStart() time.Time {
	return d.historyStart
}

// Conversations returns the conversations of bot that started in [from, to), as
// they look at Now, in start order.
func (d *Dataset) Conversations(bot string, from, to time.Time) []Conversation {
	now := d.Now()
	var out []Conversation
	d.eachHour(bot, from, to, now, func(convs []Conversation) {
		for i := range convs {
			if !convs[i].Start.Before(from) && convs[i].Start.Before(to) {
				out = append(out, convs[i])
			}
		}
	})
	return out
}

// Messages returns the messages of bot sent in [from, to), as they look at Now;
// conversationID, when set, keeps one conversation's.
func (d *Dataset) Messages(bot string, from, to time.Time, conversationID string) []Message {
	now := d.Now()
	var out []Message
	d.eachHour(bot, from.Add(-maxConversationSpan), to, now, func(convs []Conversation) {
		for i := range convs {
			if conversationID != "" && convs[i].ID != conversationID {
				continue
			}
			for _, m := range convs[i].Messages {
				if !m.Time.Before(from) && m.Time.Before(to) {
					out = append(out, m)
				}
			}
		}
	})
	return out
}

// eachHour calls fn with the visible conversations of every hour that may hold
// starts in [from, to].
func (d *Dataset) eachHour(bot string, from, to, now time.Time, fn func([]Conversation)) {
	if !d.HasBot(bot) {
		return
	}
	span := d.hourRange(from, to, now)
	for h := span.first; h <= span.last; h++ {
		fn(d.visibleHour(bot, h, now))
	}
}

func floorHour(t time.Time) int64 {
	s := t.Unix()
	if s < 0 {
		return (s - 3599) / 3600
	}
	return s / 3600
}

// visibleHour is an hour's conversations as they look at now: those not started yet
// are absent, and those still under way show only their messages so far.
func (d *Dataset) visibleHour(bot string, hour int64, now time.Time) []Conversation {
	all := d.hour(bot, hour)
	historyStart := d.HistoryStart()
	out := make([]Conversation, 0, len(all))
	for _, c := range all {
		if c.Start.After(now) || c.Start.Before(historyStart) {
			continue
		}
		if c.LastActionAt.After(now) {
			c = inProgress(c, now)
		}
		out = append(out, c)
	}
	return out
}

func inProgress(c Conversation, now time.Time) Conversation {
	n := 0
	for n < len(c.Messages) && !c.Messages[n].Time.After(now) {
		n++
	}
	c.Messages = c.Messages[:n:n]
	// Its greeting may come a moment after it started: then nothing has happened yet.
	c.LastActionAt = c.Start
	if n > 0 {
		c.LastActionAt = c.Messages[n-1].Time
	}
	users := 0
	for _, m := range c.Messages {
		if m.Type == "UserInput" {
			users++
		}
	}
	if c.HasUserMessageCount {
		c.UserMessageCount = users
	}
	// The outcome is only known once the conversation is over.
	var tags []string
	for _, t := range c.Tags {
		if t != "resolved" && t != "liveChat" && t != "informed" {
			tags = append(tags, t)
		}
	}
	c.Tags = tags
	return c
}

// hour generates (or recalls) every conversation bot starts in the given epoch hour.
func (d *Dataset) hour(bot string, hour int64) []Conversation {
	k := hourKey{bot, hour}
	d.mu.Lock()
	if convs, ok := d.hours[k]; ok {
		d.mu.Unlock()
		return convs
	}
	d.mu.Unlock()
	convs := d.generateHour(bot, hour)
	d.mu.Lock()
	if len(d.hours) >= maxCachedHours {
		for old := range d.hours {
			delete(d.hours, old)
			if len(d.hours) < maxCachedHours/2 {
				break
			}
		}
	}
	d.hours[k] = convs
	d.mu.Unlock()
	return convs
}

// hourlyShape is the share of PerHour by UTC hour of day: busy office hours, a quiet
// night. Weekends run at 60%.
var hourlyShape = [24]float64{
	0.25, 0.2, 0.15, 0.12, 0.12, 0.2, 0.4, 0.7, 1.1, 1.4, 1.5, 1.5,
	1.45, 1.4, 1.45, 1.5, 1.4, 1.3, 1.1, 0.95, 0.8, 0.65, 0.5, 0.35,
}

// perHour is the mean number of conversations bot starts in an hour.
func (d *Dataset) perHour(bot string) float64 {
	if size, ok := d.cfg.Sizes[bot]; ok && size > 0 {
		return d.cfg.PerHour * size
	}
	return d.cfg.PerHour
}

func (d *Dataset) generateHour(bot string, hour int64) []Conversation {
	key := d.botKeys[bot]
	rng := rand.New(rand.NewPCG(key, uint64(hour)))
	hourStart := time.Unix(hour*3600, 0).UTC()
	mean := d.perHour(bot) * hourlyShape[hourStart.Hour()]
	if wd := hourStart.Weekday(); wd == time.Saturday || wd == time.Sunday {
		mean *= 0.6
	}
	n := int(math.Round(mean * (0.5 + rng.Float64())))
	if n > 0xffff {
		n = 0xffff
	}
	offsets := make([]int, n)
	for i := range offsets {
		offsets[i] = rng.IntN(3600)
	}
	// Every third hour has a conversation exactly on the hour, to test window edges.
	if n > 0 && hour%3 == 0 {
		offsets[0] = 0
	}
	slices.Sort(offsets)
	convs := make([]Conversation, n)
	for i := range convs {
		convs[i] = d.generateConversation(rng, bot, key, hour, i, hourStart.Add(time.Duration(offsets[i])*time.Second))
	}
	return convs
}

func (d *Dataset) generateConversation(rng *rand.Rand, bot string, key uint64, hour int64, idx int, start time.Time) Conversation {
	c := Conversation{ID: conversationID(rng, key, hour, idx), Bot: bot, Start: start}
	loc := pick(rng, locales)
	c.Locale, c.LocaleMode = loc.code, loc.mode
	lang := "en"
	if loc.mode == localePresent {
		lang = strings.SplitN(loc.code, "_", 2)[0]
	}
	end := pick(rng, outcomes)
	switch end {
	case outcomeResolved:
		c.Tags = append(c.Tags, "resolved")
	case outcomeLiveChat:
		c.Tags = append(c.Tags, "liveChat")
	case outcomeInformed:
		c.Tags = append(c.Tags, "informed")
	}
	if rng.IntN(100) < 35 {
		c.Tags = append(c.Tags, "guideInteraction")
	}
	if r := rng.IntN(100); r < 8 {
		c.Tags = append(c.Tags, "thumbsUp")
	} else if r < 12 {
		c.Tags = append(c.Tags, "thumbsDown")
	}
	c.TagsMode = tagsMode(rng.IntN(3))
	if len(c.Tags) > 0 {
		c.TagsMode = tagsList
	}

	topics := topicsByLocale[lang]
	tp := topics[rng.IntN(len(topics))]
	users := 1 + int(math.Floor(math.Abs(rng.NormFloat64())*3))
	if users > 12 {
		users = 12
	}
	if end == outcomeAbandoned && rng.IntN(4) == 0 {
		users = 0
	}
	c.Messages = generateMessages(rng, c.ID, start, lang, tp, users, end, rng.IntN(3) == 0 && c.Start.Second() == 0)
	c.UserMessageCount = users
	c.HasUserMessageCount = rng.IntN(100) >= 3
	c.LastActionAt = c.Messages[len(c.Messages)-1].Time
	if rng.IntN(100) >= 2 {
		c.Metadata = metadataJSON(rng, c, tp, users)
	}
	return c
}

func generateMessages(rng *rand.Rand, convID string, start time.Time, lang string, tp topic, users int, end outcome, onTheSecond bool) []Message {
	t := start
	if !onTheSecond {
		t = t.Add(time.Duration(rng.IntN(900)) * time.Millisecond)
	}
	msgs := make([]Message, 1, 2*users+2) // a greeting, each user input and its reply, a handoff
	msgs[0] = Message{ID: hexID(rng), ConversationID: convID, Time: t, Type: "Question", Steps: []string{greetings[lang]}}
	for u := 0; u < users; u++ {
		t = t.Add(time.Duration(3000+rng.IntN(42000)) * time.Millisecond)
		in := Message{ID: uuidID(rng), ConversationID: convID, Time: t, Type: "UserInput", UserActionType: "text"}
		switch {
		case u == 0:
			in.UserInput = tp.question
		case rng.IntN(5) == 0:
			in.UserActionType = "quickReply"
			in.UserInput = []string{"Yes", "No"}[rng.IntN(2)]
		case rng.IntN(12) == 0:
			in.UserActionType = "formSubmission"
			in.UserInputJSON = []byte(`{"email":"user` + hex.EncodeToString([]byte{byte(rng.IntN(256))}) + `@example.com","consent":true}`)
		default:
			in.UserInput = followUps[rng.IntN(len(followUps))]
		}
		msgs = append(msgs, in)
		t = t.Add(time.Duration(500+rng.IntN(2500)) * time.Millisecond)
		reply := Message{ID: hexID(rng), ConversationID: convID, Time: t}
		if u == 0 {
			reply.Type = "Question"
			reply.Steps = []string{tp.answer, "Did that answer your question?"}
			reply.Options = []string{"Yes", "No"}
		} else {
			reply.Type = "BotMessage"
			reply.Steps = []string{"Thanks, let me check that."}
		}
		msgs = append(msgs, reply)
	}
	if end == outcomeLiveChat {
		t = t.Add(time.Duration(1000+rng.IntN(4000)) * time.Millisecond)
		msgs = append(msgs, Message{ID: hexID(rng), ConversationID: convID, Time: t, Type: "BotMessage", Steps: []string{"Connecting you to a support agent…"}})
	}
	return msgs
}

// conversationID hides the hour and index in an id that looks random, so the
// conversation_id filter can find a conversation without a scan.
func conversationID(rng *rand.Rand, key uint64, hour int64, idx int) string {
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], (uint64(hour)<<16|uint64(idx))^key)
	binary.BigEndian.PutUint64(b[8:], rng.Uint64())
	return hex.EncodeToString(b[:])
}

// findConversation returns the conversation with id, if it is bot's and visible at now.
func (d *Dataset) findConversation(bot, id string, now time.Time) (Conversation, bool) {
	key, ok := d.botKeys[bot]
	b, err := hex.DecodeString(id)
	if !ok || err != nil || len(b) != 16 {
		return Conversation{}, false
	}
	v := binary.BigEndian.Uint64(b[:8]) ^ key
	hour := int64(v >> 16)
	for _, c := range d.visibleHour(bot, hour, now) {
		if c.ID == id {
			return c, true
		}
	}
	return Conversation{}, false
}

func hexID(rng *rand.Rand) string {
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], rng.Uint64())
	binary.BigEndian.PutUint64(b[8:], rng.Uint64())
	return hex.EncodeToString(b[:])
}

func uuidID(rng *rand.Rand) string {
	h := hexID(rng)
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

func pick[T any](rng *rand.Rand, options []weighted[T]) T {
	total := 0
	for _, o := range options {
		total += o.weight
	}
	r := rng.IntN(total)
	for _, o := range options {
		if r < o.weight {
			return o.value
		}
		r -= o.weight
	}
	return options[len(options)-1].value
}
