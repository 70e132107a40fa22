package core

import (
	"strings"
	"testing"
)

// Every vector the verifiers accept passes ValidateImportedHash; malformed
// and costly hashes fail it with an error that names the field and never
// repeats the hash.
func TestValidateImportedHash(t *testing.T) {
	t.Parallel()
	vectors := importedVectors(t)
	argon2id, err := hashArgon2id("correct horse battery staple", Argon2Params{MemoryKiB: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32})
	if err != nil {
		t.Fatal(err)
	}
	vectors = append(vectors,
		hashVector{"argon2id", "", argon2id},
		hashVector{"argon2i", "", strings.Replace(argon2id, "$argon2id$", "$argon2i$", 1)},
	)
	for _, v := range vectors {
		t.Run(v.name, func(t *testing.T) {
			if err := ValidateImportedHash(v.hash); err != nil {
				t.Errorf("got %v, want it accepted", err)
			}
		})
	}

	bad := []struct{ name, hash, wantIn string }{
		{"empty", "", "supported format"},
		{"md5 crypt", "$1$saltsalt$qjXMvbEw8oaL.CzflDugX/", "supported format"},
		{"plain text", "hunter2hunter2", "supported format"},
		{"bcrypt short", "$2b$10$tooShort", "valid bcrypt"},
		{"bcrypt cost 31", "$2b$31$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW", "valid bcrypt"},
		{"bcrypt bad character", "$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOe!", "valid bcrypt"},
		{"argon2 no salt", "$argon2id$v=19$m=64,t=1,p=1$$", "valid argon2"},
		{"argon2 wrong version", "$argon2id$v=16$m=64,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA", "valid argon2"},
		{"scrypt huge", "$scrypt$ln=30,r=8,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA", "valid scrypt"},
		{"scrypt missing p", "$scrypt$ln=10,r=8$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA", "valid scrypt"},
		{"pbkdf2 zero rounds", "$pbkdf2-sha256$0$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA", "valid PBKDF2"},
		{"pbkdf2 short key", "$pbkdf2-sha512$i=1000$c2FsdA$aGFzaA", "valid PBKDF2"},
		{"firebase missing parts", "$firebase-scrypt$rounds=8,mem=14$Bw$c2FsdA", "valid firebase-scrypt"},
	}
	for _, c := range bad {
		t.Run(c.name, func(t *testing.T) {
			err := ValidateImportedHash(c.hash)
			e := AsError(err)
			if e == nil || e.Code != Invalid || e.Field != "password_hash" {
				t.Fatalf("got %v, want Invalid on password_hash", err)
			}
			if !strings.Contains(e.Message, c.wantIn) {
				t.Errorf("message %q: want it to contain %q", e.Message, c.wantIn)
			}
			if c.hash != "" && strings.Contains(e.Message, c.hash[min(4, len(c.hash)):]) {
				t.Errorf("message %q repeats the hash", e.Message)
			}
		})
	}
}
