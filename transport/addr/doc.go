// Package addr turns configured addresses into concrete "host:port" strings:
// it renders go-sockaddr templates and picks an address to advertise for a
// socket bound to a wildcard address.
//
// Templates are those of github.com/hashicorp/go-sockaddr/template, for
// example
//
//	{{ GetPrivateIP }}:7946
//	{{ GetInterfaceIP "eth0" }}:7946
//	{{ GetAllInterfaces | include "network" "10.0.0.0/8" | attr "address" }}:7946
//
// Resolve renders one; Advertise turns a bind address such as
// "0.0.0.0:7946" into one peers can send to. A template that selects nothing
// is reported with ErrNoAddress rather than yielding ":7946".
package addr
