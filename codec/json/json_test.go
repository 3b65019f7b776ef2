package json_test

import (
	stdjson "encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/scuttlebutt-go/scuttlebutt/codec"
	"github.com/scuttlebutt-go/scuttlebutt/codec/codectest"
	"github.com/scuttlebutt-go/scuttlebutt/codec/json"
)

func TestCodec(t *testing.T) { codectest.Run(t, json.Codec{}) }

func FuzzDecode(f *testing.F) { codectest.Fuzz(f, json.Codec{}) }

func BenchmarkCodec(b *testing.B) { codectest.Bench(b, json.Codec{}) }

// TestValidJSON checks every encoding against the standard library's parser
// and field names.
func TestValidJSON(t *testing.T) {
	for _, m := range codectest.Messages() {
		b, err := json.Codec{}.Append(nil, m)
		require.NoError(t, err)
		var v struct {
			Scuttlebutt int
			Kind        string
			From        string
			Digest      []map[string]any
			Deltas      []map[string]any
		}
		require.NoError(t, stdjson.Unmarshal(b, &v), "%s", b)
		assert.Equal(t, json.Version, v.Scuttlebutt)
		assert.Equal(t, m.Kind.String(), v.Kind)
		assert.Equal(t, m.From, v.From)
		assert.Len(t, v.Digest, len(m.Digest.Entries))
		assert.Len(t, v.Deltas, len(m.Deltas))
	}
}

func TestDecodeErrors(t *testing.T) {
	const ok = `{"scuttlebutt":2,"kind":"SYN","from":"a"`
	cases := []struct {
		in   string
		want error
	}{
		{`{"scuttlebutt":3,"kind":"SYN","from":"a"}`, codec.ErrVersion},
		{`{"scuttlebutt":0}`, codec.ErrVersion},
		{`{"scuttlebutt":99999999999999999999999}`, codec.ErrVersion},
		{`{"scuttlebutt": 2 , "kind" : "SYN" , "from" : "a" }`, nil},
		{`{"scuttlebutt":2,"from":"a","kind":"ACK","deltas":[]}`, nil},
		{ok + `,"digest":[{"id":"b","left":false,"generation":0}]}`, nil},
		{ok + `,"lo":"\u00e9\ud83d\ude00\/"}`, nil},
		{` {"scuttlebutt":2}`, codec.ErrCodecMismatch},
		{`{"kind":"SYN"}`, codec.ErrCodecMismatch},
		{`{"scuttle`, codec.ErrMalformed},
		{`{"scuttlebutt":-1}`, codec.ErrMalformed},
		{`{"scuttlebutt":1.0}`, codec.ErrMalformed},
		{`{"scuttlebutt":01}`, codec.ErrMalformed},
		{`{"scuttlebutt":2}`, codec.ErrMalformed},
		{`{"scuttlebutt":2,"kind":"SYN"}`, codec.ErrMalformed},
		{`{"scuttlebutt":2,"kind":"SYN","from":""}`, codec.ErrMalformed},
		{`{"scuttlebutt":2,"kind":"NOPE","from":"a"}`, codec.ErrMalformed},
		{ok + `,"kind":"SYN"}`, codec.ErrMalformed},
		{ok + `,"extra":1}`, codec.ErrMalformed},
		{ok + `}x`, codec.ErrMalformed},
		{ok + `,}`, codec.ErrMalformed},
		{ok + `,"digest":[{}]}`, codec.ErrMalformed},
		{ok + `,"digest":[{"id":"b"},]}`, codec.ErrMalformed},
		{ok + `,"digest":[{"id":"b","generation":18446744073709551616}]}`, codec.ErrMalformed},
		{ok + `,"digest":[{"id":"b","generation":1e3}]}`, codec.ErrMalformed},
		{ok + `,"digest":[{"id":"b","left":1}]}`, codec.ErrMalformed},
		{ok + `,"deltas":[{"id":"b","entries":[{"value":"v"}]}]}`, codec.ErrMalformed},
		{ok + `,"lo":"\ud800"}`, codec.ErrMalformed},
		{ok + `,"lo":"\udc00"}`, codec.ErrMalformed},
		{ok + `,"lo":"\ud800\u0041"}`, codec.ErrMalformed},
		{ok + `,"lo":"\x"}`, codec.ErrMalformed},
		{ok + `,"lo":"` + "\xff" + `"}`, codec.ErrMalformed},
		{ok + `,"lo":"` + "\n" + `"}`, codec.ErrMalformed},
		{ok + `,"lo":null}`, codec.ErrMalformed},
	}
	for _, tc := range cases {
		t.Run(tc.in, func(t *testing.T) {
			_, err := json.Codec{}.Decode([]byte(tc.in))
			if tc.want == nil {
				assert.NoError(t, err)
				return
			}
			assert.ErrorIs(t, err, tc.want)
		})
	}
}

func TestRefusesInvalidUTF8(t *testing.T) {
	m := &codec.Message{Kind: codec.KindAck, From: "a", Deltas: []codec.NodeDelta{{ID: "b", Entries: []codec.Entry{{Key: "k", Value: "\xff"}}}}}
	_, err := json.Codec{}.Append(nil, m)
	assert.ErrorIs(t, err, codec.ErrMalformed)
}

func TestMatch(t *testing.T) {
	b, err := json.Codec{}.Append(nil, codectest.Full())
	require.NoError(t, err)
	assert.True(t, json.Codec{}.Match(b))
	assert.False(t, json.Codec{}.Match([]byte(`{"kind":"SYN"}`)))
	assert.True(t, strings.HasPrefix(string(b), `{"scuttlebutt":2,`))
}

func Example() {
	c := json.Codec{}
	m := &codec.Message{
		Kind: codec.KindAck,
		From: "node-a",
		Deltas: []codec.NodeDelta{{
			ID: "node-a", Generation: 7, From: 4, Upto: 6,
			Entries: []codec.Entry{
				{Key: "addr", Value: "10.0.0.1:7946", Version: 5},
				{Key: "role", Version: 6, Tombstone: true},
			},
		}},
	}
	b, err := c.Append(nil, m)
	if err != nil {
		panic(err)
	}
	fmt.Println(string(b))
	fmt.Println(len(b) == codec.Size(c, m))
	got, err := c.Decode(b)
	if err != nil {
		panic(err)
	}
	fmt.Println(got.Kind, got.Deltas[0].Entries[0].Value)
	// Output:
	// {"scuttlebutt":2,"kind":"ACK","from":"node-a","deltas":[{"id":"node-a","generation":7,"from":4,"upto":6,"entries":[{"key":"addr","value":"10.0.0.1:7946","version":5},{"key":"role","version":6,"tombstone":true}]}]}
	// true
	// ACK 10.0.0.1:7946
}
