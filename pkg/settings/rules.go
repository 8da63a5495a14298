package settings

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/agentx-support/agentx-export-datasource/pkg/exportapi"
)

// The rules of the text settings, one per setting; the numbers' rules are their
// ranges in Fields.

// setBaseURL accepts what the client accepts; a blank keeps the default.
func setBaseURL(s *Settings, f Field, raw string) error {
	if strings.TrimSpace(raw) == "" {
		return nil
	}
	u, err := exportapi.ParseBaseURL(raw)
	if err != nil {
		return fmt.Errorf("%s %w", f.Label, err)
	}
	s.BaseURL = u.String()
	return nil
}

// setRedisURL accepts redis:// and rediss:// URLs with a host and without a
// password, which belongs in the secure field; a blank means no Redis.
func setRedisURL(s *Settings, f Field, raw string) error {
	if strings.TrimSpace(raw) == "" {
		return nil
	}
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || (u.Scheme != "redis" && u.Scheme != "rediss") || u.Host == "" {
		return fmt.Errorf("%s must look like redis://host:6379/0 or rediss://host:6380 (TLS)", f.Label)
	}
	if _, hasPassword := u.User.Password(); hasPassword {
		return fmt.Errorf("%s must not hold a password: put it in the Redis password field, which Grafana keeps encrypted", f.Label)
	}
	s.RedisURL = strings.TrimSpace(raw)
	return nil
}

// setAPIKey requires a key of a plausible length.
func setAPIKey(s *Settings, _ Field, raw string) error {
	s.APIKey = strings.TrimSpace(raw)
	switch {
	case s.APIKey == "":
		return fmt.Errorf("no API key is set: paste the key from Account > API in AgentX Support (visible to site admins)")
	case len(s.APIKey) < MinAPIKeyLength:
		return fmt.Errorf("the API key is shorter than %d characters, too short to be a key: paste the whole key from Account > API in AgentX Support", MinAPIKeyLength)
	}
	return nil
}
