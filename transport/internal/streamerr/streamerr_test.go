package streamerr

import (
	"context"
	"errors"
	"io"
	"net"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestExplain(t *testing.T) {
	live := context.Background()
	err := Explain(live, "x", "a:1", false, io.ErrUnexpectedEOF)
	require.ErrorIs(t, err, io.ErrUnexpectedEOF)

	err = Explain(live, "x", "a:1", true, io.ErrUnexpectedEOF)
	require.ErrorIs(t, err, net.ErrClosed, "closed comes first")

	cancelled, cancel := context.WithCancel(live)
	cancel()
	err = Explain(cancelled, "x", "a:1", false, io.ErrUnexpectedEOF)
	require.ErrorIs(t, err, context.Canceled)
	assert.Contains(t, err.Error(), io.ErrUnexpectedEOF.Error(), "the failure's text stays")
}

// A deadline that has passed counts even before ctx's timer fires: the
// context here has a deadline in the past but was never marked done.
func TestCauseAtDeadline(t *testing.T) {
	ctx := pastDeadline{context.Background(), time.Now().Add(-time.Millisecond)}
	require.NoError(t, ctx.Err())
	err := Explain(ctx, "x", "a:1", false, errors.New("i/o timeout"))
	require.ErrorIs(t, err, context.DeadlineExceeded)

	future, cancel := context.WithTimeout(context.Background(), time.Hour)
	defer cancel()
	assert.NoError(t, Cause(future))
}

// pastDeadline reports a deadline without ever being done, like a context
// whose timer has not fired yet.
type pastDeadline struct {
	context.Context
	dl time.Time
}

func (c pastDeadline) Deadline() (time.Time, bool) { return c.dl, true }
