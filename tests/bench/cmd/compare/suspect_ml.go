package main

import (
	"bytes"
	"compress/lzw"
	"encoding/binary"
	"io"
	"sync"

	metrics "github.com/hashicorp/go-metrics"
	"github.com/hashicorp/go-msgpack/v2/codec"
)

// memberlist tells its delegates of a failure only when it declares the
// node dead (NotifyLeave), and the State field of the Nodes that Members
// returns is never updated (memberlist keeps the live state in a field of
// its own record that shadows it). So this file reads suspicion from the
// outside, without touching memberlist:
//
//   - the node whose probe fails logs "Suspect <name> has failed"
//     (suspectLog);
//   - every other node marks the node suspect when the first suspect
//     message about it arrives, which the counting transport looks for in
//     the datagrams it hands over (hasSuspect);
//   - the counter memberlist.msg.suspect, incremented on every change to
//     suspect and labelled with the node's MetricLabels, counts suspicions
//     of nodes that were alive (before the kill) (suspectSink).

// The memberlist message types this file reads (memberlist's net.go).
const (
	mlSuspectMsg  = 3
	mlCompoundMsg = 7
	mlCompressMsg = 9
	mlHasCrcMsg   = 12
)

// hasSuspect says whether datagram b carries a suspect message about the
// node named name, looking inside CRC, compound and compressed framing.
func hasSuspect(b, name []byte) bool { return hasSuspectDepth(b, name, 0) }

func hasSuspectDepth(b, name []byte, depth int) bool {
	if len(b) == 0 || depth > 4 {
		return false
	}
	switch b[0] {
	case mlSuspectMsg:
		// The body holds the suspect's name and the suspecter's; names are
		// fixed-width, so one cannot contain another.
		return bytes.Contains(b[1:], name)
	case mlHasCrcMsg:
		if len(b) < 5 {
			return false
		}
		return hasSuspectDepth(b[5:], name, depth+1)
	case mlCompoundMsg:
		if len(b) < 2 {
			return false
		}
		parts := int(b[1])
		b = b[2:]
		if len(b) < 2*parts {
			return false
		}
		lens, b := b[:2*parts], b[2*parts:]
		for i := range parts {
			l := int(binary.BigEndian.Uint16(lens[2*i:]))
			if l > len(b) {
				return false
			}
			if hasSuspectDepth(b[:l], name, depth+1) {
				return true
			}
			b = b[l:]
		}
		return false
	case mlCompressMsg:
		var c struct {
			Algo int
			Buf  []byte
		}
		if err := codec.NewDecoder(bytes.NewReader(b[1:]), &codec.MsgpackHandle{}).Decode(&c); err != nil || c.Algo != 0 {
			return false
		}
		r := lzw.NewReader(bytes.NewReader(c.Buf), lzw.LSB, 8)
		defer r.Close()
		plain, err := io.ReadAll(io.LimitReader(r, 1<<20))
		if err != nil {
			return false
		}
		return hasSuspectDepth(plain, name, depth+1)
	}
	return false
}

// suspectLog is one memberlist node's log output: it discards everything
// but notices the line of a failed probe of the victim.
type suspectLog struct {
	cl       *mlCluster
	observer int
}

// Write notices a failed probe of the victim and discards the log line.
func (l suspectLog) Write(p []byte) (int, error) {
	if v, name := l.cl.victimName(); v >= 0 && bytes.Contains(p, []byte("Suspect "+name+" has failed")) {
		l.cl.tr.down(l.observer, v, false)
	}
	return len(p), nil
}

// suspectSink is the global go-metrics sink, the one memberlist reports
// to; it counts memberlist.msg.suspect for the cluster being measured.
type suspectSink struct {
	metrics.BlackholeSink
	mu sync.Mutex
	cl *mlCluster
}

var suspicions = &suspectSink{}

// installSuspectSink makes suspicions the global go-metrics sink, letting
// only memberlist.msg.suspect through.
func installSuspectSink() error {
	conf := metrics.DefaultConfig("")
	conf.EnableHostname = false
	conf.EnableRuntimeMetrics = false
	conf.FilterDefault = false
	conf.AllowedPrefixes = []string{"memberlist.msg.suspect"}
	_, err := metrics.NewGlobal(conf, suspicions)
	return err
}

func (s *suspectSink) attach(cl *mlCluster) {
	s.mu.Lock()
	s.cl = cl
	s.mu.Unlock()
}

// IncrCounterWithLabels counts memberlist.msg.suspect before the kill.
func (s *suspectSink) IncrCounterWithLabels(key []string, _ float32, _ []metrics.Label) {
	if len(key) != 3 || key[0] != "memberlist" || key[1] != "msg" || key[2] != "suspect" {
		return
	}
	s.mu.Lock()
	cl := s.cl
	s.mu.Unlock()
	if cl != nil {
		if v, _ := cl.victimName(); v < 0 {
			cl.falseSuspicions.Add(1)
		}
	}
}
