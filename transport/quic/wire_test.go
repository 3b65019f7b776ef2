package quic

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestReadLimited(t *testing.T) {
	b, err := readLimited(bytes.NewReader([]byte("abc")), 3)
	require.NoError(t, err)
	assert.Equal(t, "abc", string(b))
	_, err = readLimited(bytes.NewReader([]byte("abcd")), 3)
	require.ErrorIs(t, err, errProtocol)
}
