package mem

// Stats counts what a Network did since it was created. Once InFlight is
// zero, Sent + Duplicated = Delivered + Dropped().
type Stats struct {
	// Sent counts datagrams accepted by Send; BytesSent their bytes.
	Sent, BytesSent uint64
	// Delivered counts datagrams handed to a Handler, duplicates included;
	// BytesDelivered their bytes.
	Delivered, BytesDelivered uint64
	// Duplicated counts extra copies made by Link.Duplicate.
	Duplicated uint64
	// Reordered counts datagram copies given an extra Link.Reorder delay.
	Reordered uint64
	// DroppedLoss counts datagrams dropped by Link.Loss.
	DroppedLoss uint64
	// DroppedPartition counts datagrams dropped by a partition, at Send or on
	// arrival.
	DroppedPartition uint64
	// DroppedClosed counts datagrams that arrived at an address whose
	// transport was closed or not yet started.
	DroppedClosed uint64
	// DroppedOverflow counts datagrams dropped at Send because
	// Config.QueueLimit datagrams were already in flight to the address.
	DroppedOverflow uint64
	// DroppedUnknown counts datagrams that arrived at an address that never
	// had a transport.
	DroppedUnknown uint64
	// TooLarge counts Send calls refused for exceeding the MTU.
	TooLarge uint64
	// MaxDatagram is the size of the largest datagram Send accepted.
	MaxDatagram int
	// StreamsSent counts messages accepted by SendStream; StreamBytesSent
	// their bytes.
	StreamsSent, StreamBytesSent uint64
	// StreamsDelivered counts stream messages handed to a Handler.
	StreamsDelivered uint64
	// StreamsDropped counts stream messages dropped on arrival, because of a
	// partition or a closed or unstarted destination.
	StreamsDropped uint64
}

// Dropped returns the number of datagrams dropped for any reason.
func (s Stats) Dropped() uint64 {
	return s.DroppedLoss + s.DroppedPartition + s.DroppedClosed + s.DroppedUnknown + s.DroppedOverflow
}

// TransportStats counts one transport's traffic.
type TransportStats struct {
	// Sent counts datagrams this transport's Send accepted; BytesSent their
	// bytes.
	Sent, BytesSent uint64
	// Received counts datagrams handed to this transport's Handler;
	// BytesReceived their bytes.
	Received, BytesReceived uint64
	// StreamsSent and StreamsReceived count stream messages.
	StreamsSent, StreamsReceived uint64
}

// Stats returns the Network's counters.
func (n *Network) Stats() Stats {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.stats
}
