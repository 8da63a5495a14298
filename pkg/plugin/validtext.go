package plugin

import (
	"encoding/json"
	"errors"
	"unicode/utf8"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/agentx-support/agentx-export-datasource/pkg/exportapi"
)

// Grafana carries errors, health messages and notices in protobuf strings, which
// must be UTF-8: one stray byte fails the whole gRPC answer, every query of the
// request with it. Upstream text is made valid where it enters a message
// (exportapi.ValidText); this is the last line, so that no new path can bring
// such a byte back: every text of an answer passes through it on the way out.

// validResponse makes every text of r valid UTF-8: the error, and each frame's
// names, labels, notices and text values.
func validResponse(r *backend.DataResponse) {
	if r.Error != nil && !utf8.ValidString(r.Error.Error()) {
		r.Error = errors.New(exportapi.ValidText(r.Error.Error()))
	}
	for _, f := range r.Frames {
		validFrame(f)
	}
}

func validFrame(f *data.Frame) {
	f.Name, f.RefID = exportapi.ValidText(f.Name), exportapi.ValidText(f.RefID)
	if f.Meta != nil {
		for i := range f.Meta.Notices {
			f.Meta.Notices[i].Text = exportapi.ValidText(f.Meta.Notices[i].Text)
		}
		f.Meta.ExecutedQueryString = exportapi.ValidText(f.Meta.ExecutedQueryString)
	}
	for _, fl := range f.Fields {
		fl.Name = exportapi.ValidText(fl.Name)
		for k, v := range fl.Labels {
			if vk, vv := exportapi.ValidText(k), exportapi.ValidText(v); vk != k || vv != v {
				delete(fl.Labels, k)
				fl.Labels[vk] = vv
			}
		}
		if fl.Config != nil {
			fl.Config.DisplayNameFromDS = exportapi.ValidText(fl.Config.DisplayNameFromDS)
		}
		validValues(fl)
	}
}

// validValues replaces the text values of a field that are not valid UTF-8.
// Number and time fields (every series) hold no text and are not walked.
func validValues(fl *data.Field) {
	if t := fl.Type(); t.Numeric() || t.Time() {
		return
	}
	for i := 0; i < fl.Len(); i++ {
		switch v := fl.At(i).(type) {
		case string:
			if !utf8.ValidString(v) {
				fl.Set(i, exportapi.ValidText(v))
			}
		case *string:
			if v != nil && !utf8.ValidString(*v) {
				s := exportapi.ValidText(*v)
				fl.Set(i, &s)
			}
		case json.RawMessage:
			if !utf8.Valid(v) {
				fl.Set(i, json.RawMessage(exportapi.ValidText(string(v))))
			}
		case *json.RawMessage:
			if v != nil && !utf8.Valid(*v) {
				m := json.RawMessage(exportapi.ValidText(string(*v)))
				fl.Set(i, &m)
			}
		}
	}
}

// validHealth makes the health check's message valid UTF-8.
func validHealth(r *backend.CheckHealthResult) *backend.CheckHealthResult {
	if r != nil {
		r.Message = exportapi.ValidText(r.Message)
	}
	return r
}
