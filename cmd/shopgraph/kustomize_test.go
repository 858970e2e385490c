package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"gopkg.in/yaml.v3"
	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/intstr"
	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/kyaml/filesys"

	"github.com/shopgraph/shopgraph/gateway/compose"
	"github.com/shopgraph/shopgraph/gateway/server"
	"github.com/shopgraph/shopgraph/internal/telemetry"
)

// The Kubernetes manifests in deploy/ cannot be applied here (there is no cluster),
// so these tests render the Kustomize overlays with the kustomize library, decode
// every resource strictly into the Kubernetes API types, and check what they say
// against the code: components, ports, health routes, settings and credentials.

// manifests is one rendered overlay, by kind and name.
type manifests struct {
	overlay      string
	deployments  map[string]*appsv1.Deployment
	statefulSets map[string]*appsv1.StatefulSet
	services     map[string]*corev1.Service
	configMaps   map[string]*corev1.ConfigMap
	secrets      map[string]*corev1.Secret
	jobs         map[string]*batchv1.Job
	pdbs         map[string]*policyv1.PodDisruptionBudget
	hpas         map[string]*autoscalingv2.HorizontalPodAutoscaler
	policies     map[string]*networkingv1.NetworkPolicy
}

// components are the `serve` components, each a Deployment of its own.
func components() []string { return append(append([]string{}, subgraphNames...), "router", "web") }

// renderOverlay runs kustomize on deploy/overlays/NAME and decodes the result.
func renderOverlay(t *testing.T, overlay string) *manifests {
	t.Helper()
	dir := filepath.Join("..", "..", "deploy", "overlays", overlay)
	resMap, err := krusty.MakeKustomizer(krusty.MakeDefaultOptions()).Run(filesys.MakeFsOnDisk(), dir)
	if err != nil {
		t.Fatalf("kustomize build %s: %v", dir, err)
	}
	m := &manifests{
		overlay:      overlay,
		deployments:  map[string]*appsv1.Deployment{},
		statefulSets: map[string]*appsv1.StatefulSet{},
		services:     map[string]*corev1.Service{},
		configMaps:   map[string]*corev1.ConfigMap{},
		secrets:      map[string]*corev1.Secret{},
		jobs:         map[string]*batchv1.Job{},
		pdbs:         map[string]*policyv1.PodDisruptionBudget{},
		hpas:         map[string]*autoscalingv2.HorizontalPodAutoscaler{},
		policies:     map[string]*networkingv1.NetworkPolicy{},
	}
	for _, r := range resMap.Resources() {
		raw, err := r.MarshalJSON()
		if err != nil {
			t.Fatalf("%s: %s %s: %v", overlay, r.GetKind(), r.GetName(), err)
		}
		gvk := r.GetGvk()
		apiVersion := gvk.Group + "/" + gvk.Version
		if gvk.Group == "" {
			apiVersion = gvk.Version
		}
		key := apiVersion + " " + gvk.Kind
		name := r.GetName()
		switch key {
		case "apps/v1 Deployment":
			decodeInto(t, overlay, key, name, raw, m.deployments)
		case "apps/v1 StatefulSet":
			decodeInto(t, overlay, key, name, raw, m.statefulSets)
		case "v1 Service":
			decodeInto(t, overlay, key, name, raw, m.services)
		case "v1 ConfigMap":
			decodeInto(t, overlay, key, name, raw, m.configMaps)
		case "v1 Secret":
			decodeInto(t, overlay, key, name, raw, m.secrets)
		case "batch/v1 Job":
			decodeInto(t, overlay, key, name, raw, m.jobs)
		case "policy/v1 PodDisruptionBudget":
			decodeInto(t, overlay, key, name, raw, m.pdbs)
		case "autoscaling/v2 HorizontalPodAutoscaler":
			decodeInto(t, overlay, key, name, raw, m.hpas)
		case "networking.k8s.io/v1 NetworkPolicy":
			decodeInto(t, overlay, key, name, raw, m.policies)
		default:
			t.Errorf("%s: %s %q: a kind this test does not know; decode and check it here", overlay, key, name)
		}
	}
	return m
}

// decodeInto decodes raw into a new T, refusing unknown fields (a misspelt or
// misplaced key would otherwise be dropped by the API server without a word),
// and files it under name.
func decodeInto[T any](t *testing.T, overlay, kind, name string, raw []byte, into map[string]*T) {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	obj := new(T)
	if err := dec.Decode(obj); err != nil {
		t.Errorf("%s: %s %q does not decode strictly: %v", overlay, kind, name, err)
		return
	}
	if _, dup := into[name]; dup {
		t.Errorf("%s: two %s named %q", overlay, kind, name)
	}
	into[name] = obj
}

// secretLike are settings that hold credentials: they must come from a Secret.
var secretLike = regexp.MustCompile(`DATABASE_URL$|TOKEN$|SIGNING_KEYS$|REDIS_URL$`)

// envVar is one environment variable of a container as the manifests set it.
type envVar struct {
	value     string                    // a plain value (from env or a ConfigMap)
	secretRef *corev1.SecretKeySelector // set when the value comes from a Secret
}

// containerEnv resolves a container's environment: env entries and the ConfigMaps
// of envFrom, which must be in the rendered overlay.
func (m *manifests) containerEnv(t *testing.T, owner string, c corev1.Container) map[string]envVar {
	t.Helper()
	env := map[string]envVar{}
	for _, from := range c.EnvFrom {
		switch {
		case from.ConfigMapRef != nil:
			cm, ok := m.configMaps[from.ConfigMapRef.Name]
			if !ok {
				t.Errorf("%s: %s: envFrom ConfigMap %q is not in the overlay", m.overlay, owner, from.ConfigMapRef.Name)
				continue
			}
			for k, v := range cm.Data {
				env[from.Prefix+k] = envVar{value: v}
			}
		default:
			// A whole Secret as the environment hides which settings it sets, so
			// prod (whose Secrets are made elsewhere) could not be checked.
			t.Errorf("%s: %s: envFrom other than a ConfigMap; name each Secret key in env instead", m.overlay, owner)
		}
	}
	for _, e := range c.Env {
		switch {
		case e.ValueFrom == nil:
			env[e.Name] = envVar{value: e.Value}
		case e.ValueFrom.SecretKeyRef != nil:
			env[e.Name] = envVar{secretRef: e.ValueFrom.SecretKeyRef}
		case e.ValueFrom.ConfigMapKeyRef != nil:
			cm, ok := m.configMaps[e.ValueFrom.ConfigMapKeyRef.Name]
			if !ok {
				t.Errorf("%s: %s: %s: ConfigMap %q is not in the overlay", m.overlay, owner, e.Name, e.ValueFrom.ConfigMapKeyRef.Name)
				continue
			}
			env[e.Name] = envVar{value: cm.Data[e.ValueFrom.ConfigMapKeyRef.Key]}
		default:
			t.Errorf("%s: %s: %s: a valueFrom this test does not resolve", m.overlay, owner, e.Name)
		}
	}
	for name, v := range env {
		if secretLike.MatchString(name) && v.secretRef == nil {
			t.Errorf("%s: %s: %s holds a credential but is set in plain text; take it from a Secret", m.overlay, owner, name)
		}
		if v.secretRef != nil && v.secretRef.Optional != nil && *v.secretRef.Optional {
			t.Errorf("%s: %s: %s comes from an optional Secret key: the pod would start without it", m.overlay, owner, name)
		}
		if v.secretRef != nil && m.overlay == "dev" {
			s, ok := m.secrets[v.secretRef.Name]
			if !ok || !hasKey(s, v.secretRef.Key) {
				t.Errorf("%s: %s: %s refers to Secret %q key %q, which the overlay does not make", m.overlay, owner, name, v.secretRef.Name, v.secretRef.Key)
			}
		}
	}
	return env
}

// checkContainerHardening checks the pod and container security settings and the
// resources that every shopgraph container must have.
func (m *manifests) checkContainerHardening(t *testing.T, owner string, pod corev1.PodSpec, c corev1.Container) {
	t.Helper()
	nonRoot := pod.SecurityContext != nil && pod.SecurityContext.RunAsNonRoot != nil && *pod.SecurityContext.RunAsNonRoot
	sc := c.SecurityContext
	if sc == nil {
		t.Errorf("%s: %s: container has no securityContext", m.overlay, owner)
		return
	}
	if sc.RunAsNonRoot != nil {
		nonRoot = *sc.RunAsNonRoot
	}
	if !nonRoot {
		t.Errorf("%s: %s: runAsNonRoot is not true", m.overlay, owner)
	}
	if sc.RunAsUser != nil && *sc.RunAsUser == 0 || pod.SecurityContext != nil && pod.SecurityContext.RunAsUser != nil && *pod.SecurityContext.RunAsUser == 0 {
		t.Errorf("%s: %s: runs as user 0", m.overlay, owner)
	}
	if sc.ReadOnlyRootFilesystem == nil || !*sc.ReadOnlyRootFilesystem {
		t.Errorf("%s: %s: readOnlyRootFilesystem is not true", m.overlay, owner)
	}
	if sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation {
		t.Errorf("%s: %s: allowPrivilegeEscalation is not false", m.overlay, owner)
	}
	if sc.Privileged != nil && *sc.Privileged {
		t.Errorf("%s: %s: privileged", m.overlay, owner)
	}
	if sc.Capabilities == nil || !slices.Contains(sc.Capabilities.Drop, "ALL") || len(sc.Capabilities.Add) > 0 {
		t.Errorf("%s: %s: capabilities %+v, want drop [ALL] and none added", m.overlay, owner, sc.Capabilities)
	}
	seccomp := pod.SecurityContext != nil && pod.SecurityContext.SeccompProfile != nil && pod.SecurityContext.SeccompProfile.Type != corev1.SeccompProfileTypeUnconfined
	if sc.SeccompProfile != nil {
		seccomp = sc.SeccompProfile.Type != corev1.SeccompProfileTypeUnconfined
	}
	if !seccomp {
		t.Errorf("%s: %s: no seccomp profile; want RuntimeDefault (Pod Security \"restricted\")", m.overlay, owner)
	}
	if pod.AutomountServiceAccountToken == nil || *pod.AutomountServiceAccountToken {
		t.Errorf("%s: %s: mounts a service account token, which shopgraph never uses; set automountServiceAccountToken: false", m.overlay, owner)
	}
	for _, res := range []corev1.ResourceName{corev1.ResourceCPU, corev1.ResourceMemory} {
		req, hasReq := c.Resources.Requests[res]
		lim, hasLim := c.Resources.Limits[res]
		if !hasReq || !hasLim {
			t.Errorf("%s: %s: %s request and limit must both be set", m.overlay, owner, res)
			continue
		}
		if req.Cmp(lim) > 0 {
			t.Errorf("%s: %s: %s request %s above its limit %s", m.overlay, owner, res, req.String(), lim.String())
		}
	}
}

// portOf resolves a probe's or Service's port (a number or a container port's
// name) to a number.
func portOf(c corev1.Container, p intstr.IntOrString) string {
	if p.Type == intstr.Int {
		return strconv.Itoa(int(p.IntVal))
	}
	for _, cp := range c.Ports {
		if cp.Name == p.StrVal {
			return strconv.Itoa(int(cp.ContainerPort))
		}
	}
	return "unnamed port " + p.StrVal
}

// checkProbe checks that a probe is an HTTP GET of path on the component's port.
func checkProbe(t *testing.T, overlay, component, kind string, c corev1.Container, p *corev1.Probe, path string) {
	t.Helper()
	if p == nil || p.HTTPGet == nil {
		t.Errorf("%s: %s: no HTTP %s probe", overlay, component, kind)
		return
	}
	if p.HTTPGet.Path != path || portOf(c, p.HTTPGet.Port) != defaultPort(component) {
		t.Errorf("%s: %s: %s probe GET %s on port %s, want %s on %s", overlay, component, kind, p.HTTPGet.Path, portOf(c, p.HTTPGet.Port), path, defaultPort(component))
	}
}

// selects reports whether sel matches the labels l.
func selects(t *testing.T, sel *metav1.LabelSelector, l map[string]string) bool {
	t.Helper()
	if sel == nil {
		return false
	}
	s, err := metav1.LabelSelectorAsSelector(sel)
	if err != nil {
		t.Errorf("label selector %v: %v", sel, err)
		return false
	}
	return s.Matches(labels.Set(l))
}

// shopgraphImage is the image the overlay runs everywhere; it must be one.
func (m *manifests) shopgraphImage(t *testing.T) string {
	t.Helper()
	seen := map[string][]string{}
	for name, d := range m.deployments {
		if slices.Contains(components(), name) {
			for _, c := range d.Spec.Template.Spec.Containers {
				seen[c.Image] = append(seen[c.Image], "Deployment "+name)
			}
		}
	}
	for name, j := range m.jobs {
		for _, c := range j.Spec.Template.Spec.Containers {
			seen[c.Image] = append(seen[c.Image], "Job "+name)
		}
	}
	if len(seen) != 1 {
		t.Errorf("%s: want one shopgraph image everywhere, got %v", m.overlay, seen)
	}
	for image := range seen {
		return image
	}
	return ""
}

// TestKustomizeOverlaysMatchCode checks each overlay's Deployments, Services,
// disruption budgets, autoscalers and migration Jobs against the code.
func TestKustomizeOverlaysMatchCode(t *testing.T) {
	t.Parallel()
	dockerfile, err := os.ReadFile("../../Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	for _, overlay := range []string{"dev", "prod"} {
		t.Run(overlay, func(t *testing.T) {
			t.Parallel()
			m := renderOverlay(t, overlay)
			image := m.shopgraphImage(t)
			if overlay == "prod" && (strings.HasSuffix(image, ":local") || !strings.Contains(image, "/")) {
				t.Errorf("prod: image %q, want one from a registry", image)
			}
			if overlay == "prod" && len(m.secrets) > 0 {
				t.Errorf("prod: the overlay makes Secrets %v; prod's credentials are made outside the repository and only referred to", keys(m.secrets))
			}
			envs := map[string]map[string]envVar{}
			for _, c := range components() {
				envs[c] = m.checkComponent(t, c, dockerfile)
			}
			m.checkWiring(t, envs, dockerfile)
			m.checkMigrationJobs(t, envs)
		})
	}
}

// checkComponent checks one component's Deployment, Service, PDB and HPA, and
// returns its container's environment.
func (m *manifests) checkComponent(t *testing.T, name string, dockerfile []byte) map[string]envVar {
	t.Helper()
	d, ok := m.deployments[name]
	if !ok {
		t.Errorf("%s: no Deployment for component %s", m.overlay, name)
		return nil
	}
	pod := d.Spec.Template.Spec
	podLabels := d.Spec.Template.Labels
	if !selects(t, d.Spec.Selector, podLabels) {
		t.Errorf("%s: %s: the Deployment's selector does not match its pods' labels", m.overlay, name)
	}
	if len(pod.Containers) != 1 {
		t.Errorf("%s: %s: %d containers, want the component's one", m.overlay, name, len(pod.Containers))
		return nil
	}
	c := pod.Containers[0]
	owner := "Deployment " + name
	if len(c.Command) != 0 || !slices.Equal(c.Args, []string{"serve", name}) {
		t.Errorf("%s: %s: command %v args %v, want the image's entrypoint with args [serve %s]", m.overlay, name, c.Command, c.Args, name)
	}
	if !slices.ContainsFunc(c.Ports, func(p corev1.ContainerPort) bool { return strconv.Itoa(int(p.ContainerPort)) == defaultPort(name) }) {
		t.Errorf("%s: %s: container ports %v lack the component's port %s", m.overlay, name, c.Ports, defaultPort(name))
	}
	if !slices.Contains(exposedPorts(dockerfile), defaultPort(name)) {
		t.Errorf("%s: %s: the Dockerfile does not EXPOSE port %s", m.overlay, name, defaultPort(name))
	}
	checkProbe(t, m.overlay, name, "liveness", c, c.LivenessProbe, "/healthz")
	checkProbe(t, m.overlay, name, "readiness", c, c.ReadinessProbe, "/readyz")
	if c.StartupProbe != nil {
		checkProbe(t, m.overlay, name, "startup", c, c.StartupProbe, "/healthz")
	}
	m.checkContainerHardening(t, owner, pod, c)

	env := m.containerEnv(t, owner, c)
	known := envNamesOf(t, name)
	for v := range env {
		if !slices.Contains(known, v) {
			t.Errorf("%s: %s: environment variable %s is not a setting of `serve %s`", m.overlay, name, v, name)
		}
	}
	m.checkSettingsAccepted(t, owner, name, env)
	if listen, ok := env[envPrefix(name)+"LISTEN"]; ok && !strings.HasSuffix(listen.value, ":"+defaultPort(name)) {
		t.Errorf("%s: %s: %sLISTEN = %q, but the probes and Service use port %s", m.overlay, name, envPrefix(name), listen.value, defaultPort(name))
	}
	if slices.Contains(subgraphNames, name) {
		if env[envPrefix(name)+"DATABASE_URL"].secretRef == nil {
			t.Errorf("%s: %s: %sDATABASE_URL must come from a Secret", m.overlay, name, envPrefix(name))
		}
		if m.overlay == "prod" && env[envPrefix(name)+"MIGRATE"].value != "false" {
			t.Errorf("%s: %s: %sMIGRATE = %q, want false: in prod only the migrate Jobs migrate", m.overlay, name, envPrefix(name), env[envPrefix(name)+"MIGRATE"].value)
		}
	}
	m.checkShutdown(t, name, pod, c, env)

	if svc, ok := m.services[name]; !ok {
		t.Errorf("%s: no Service for component %s", m.overlay, name)
	} else {
		if !selects(t, &metav1.LabelSelector{MatchLabels: svc.Spec.Selector}, podLabels) || len(svc.Spec.Selector) == 0 {
			t.Errorf("%s: %s: the Service's selector %v does not pick the Deployment's pods", m.overlay, name, svc.Spec.Selector)
		}
		if !slices.ContainsFunc(svc.Spec.Ports, func(p corev1.ServicePort) bool {
			return strconv.Itoa(int(p.Port)) == defaultPort(name) && portOf(c, p.TargetPort) == defaultPort(name)
		}) {
			t.Errorf("%s: %s: the Service does not serve port %s on the container's port", m.overlay, name, defaultPort(name))
		}
	}
	if pdb, ok := m.pdbs[name]; !ok {
		t.Errorf("%s: no PodDisruptionBudget for component %s", m.overlay, name)
	} else if !selects(t, pdb.Spec.Selector, podLabels) || (pdb.Spec.MinAvailable == nil) == (pdb.Spec.MaxUnavailable == nil) {
		t.Errorf("%s: %s: the PodDisruptionBudget must select the Deployment's pods and set one of minAvailable and maxUnavailable", m.overlay, name)
	}

	hpa, hasHPA := m.hpas[name]
	switch m.overlay {
	case "dev":
		if hasHPA || d.Spec.Replicas == nil || *d.Spec.Replicas != 1 {
			t.Errorf("%s: %s: want one replica and no autoscaler in dev", m.overlay, name)
		}
	default:
		switch {
		case !hasHPA:
			t.Errorf("%s: no HorizontalPodAutoscaler for component %s", m.overlay, name)
		case hpa.Spec.ScaleTargetRef.Kind != "Deployment" || hpa.Spec.ScaleTargetRef.Name != name:
			t.Errorf("%s: %s: the autoscaler scales %s %s", m.overlay, name, hpa.Spec.ScaleTargetRef.Kind, hpa.Spec.ScaleTargetRef.Name)
		case hpa.Spec.MinReplicas == nil || *hpa.Spec.MinReplicas < 2 || hpa.Spec.MaxReplicas < *hpa.Spec.MinReplicas:
			t.Errorf("%s: %s: autoscaler bounds %v..%d, want at least two replicas for availability", m.overlay, name, hpa.Spec.MinReplicas, hpa.Spec.MaxReplicas)
		case len(hpa.Spec.Metrics) == 0:
			t.Errorf("%s: %s: the autoscaler has no metric", m.overlay, name)
		}
		if d.Spec.Replicas != nil {
			// kubectl apply would reset the autoscaler's count at every deploy.
			t.Errorf("%s: %s: the Deployment sets replicas; leave them to the autoscaler", m.overlay, name)
		}
	}
	return env
}

// checkSettingsAccepted runs the code's own settings parser and validation on the
// environment the manifests give a container, so that a value the component would
// refuse (a duration without a unit, a URL without a scheme, a short token) fails
// here and not as a crash-looping pod. Secret values are dev's placeholders, and in
// prod stand-ins of the right form, since the real ones are made elsewhere.
func (m *manifests) checkSettingsAccepted(t *testing.T, owner, component string, env map[string]envVar) {
	t.Helper()
	getenv := func(name string) string {
		v, ok := env[name]
		switch {
		case !ok:
			return ""
		case v.secretRef == nil:
			return v.value
		case m.overlay == "dev":
			return string(m.secrets[v.secretRef.Name].Data[v.secretRef.Key])
		}
		return secretStandIn(name)
	}
	var err error
	switch component {
	case "router":
		s, rc, e := newRouterSettings(getenv)
		if e == nil {
			_, e = s.Parse(nil)
		}
		if e == nil {
			e = errors.Join(rc.validate(), rc.Router.Validate())
		}
		err = e
	case "web":
		var st webSettings
		_, err = newWebSettings(getenv, &st).Parse(nil)
	case "migrate":
		var log logSettings
		_, err = newMigrateSettings("migrate", getenv, &log).Parse(nil)
		for _, sg := range subgraphNames {
			if _, e := subgraphDatabaseURL(getenv, sg); err == nil && e != nil {
				err = e
			}
		}
	default:
		var st subgraphSettings
		s, e := newSubgraphSettings(component, getenv, &st)
		if e == nil {
			_, e = s.Parse(nil)
		}
		// As `serve` does: the catalog checks its internal API, orders its checkout.
		switch {
		case e == nil && component == "catalog":
			e = st.internal.validate(envPrefix(component))
		case e == nil && component == "orders":
			e = st.orders.validate(envPrefix(component))
		}
		err = e
	}
	if err != nil {
		t.Errorf("%s: %s: `shopgraph %s` would refuse its settings: %v", m.overlay, owner, component, err)
	}
}

// secretStandIn is a value of the right form for a credential that prod's
// Secrets hold.
func secretStandIn(name string) string {
	switch {
	case strings.HasSuffix(name, "_DATABASE_URL"):
		db := strings.ToLower(strings.TrimSuffix(name, "_DATABASE_URL"))
		return "postgres://" + db + ":secret@" + db + "-db.example.com:5432/" + db + "?sslmode=verify-full"
	case strings.HasSuffix(name, "REDIS_URL"):
		return "rediss://:secret@redis.example.com:6379/0"
	case strings.HasSuffix(name, "TOKEN"):
		return strings.Repeat("t", 32)
	}
	return "" // USERS_SIGNING_KEYS: read when the service starts, not by the parser
}

// exposedPorts lists the ports of the Dockerfile's EXPOSE lines.
func exposedPorts(dockerfile []byte) []string {
	var ports []string
	for _, line := range strings.Split(string(dockerfile), "\n") {
		if fields := strings.Fields(line); len(fields) > 1 && fields[0] == "EXPOSE" {
			ports = append(ports, fields[1:]...)
		}
	}
	return ports
}

// checkShutdown checks that a pod deleted during a rollout or scale-down gets time
// to leave the endpoints (preStop) and then to finish requests (SHUTDOWN_TIMEOUT)
// before Kubernetes kills it.
func (m *manifests) checkShutdown(t *testing.T, name string, pod corev1.PodSpec, c corev1.Container, env map[string]envVar) {
	t.Helper()
	if c.Lifecycle == nil || c.Lifecycle.PreStop == nil || c.Lifecycle.PreStop.Sleep == nil || c.Lifecycle.PreStop.Sleep.Seconds <= 0 {
		t.Errorf("%s: %s: want a preStop sleep (the image has no shell for an exec hook)", m.overlay, name)
		return
	}
	shutdown := 10 * time.Second
	if v, ok := env["SHUTDOWN_TIMEOUT"]; ok {
		d, err := time.ParseDuration(v.value)
		if err != nil {
			t.Errorf("%s: %s: SHUTDOWN_TIMEOUT %q: %v", m.overlay, name, v.value, err)
			return
		}
		shutdown = d
	}
	grace := 30 * time.Second // Kubernetes' default
	if pod.TerminationGracePeriodSeconds != nil {
		grace = time.Duration(*pod.TerminationGracePeriodSeconds) * time.Second
	}
	preStop := time.Duration(c.Lifecycle.PreStop.Sleep.Seconds) * time.Second
	if grace <= preStop+shutdown {
		t.Errorf("%s: %s: terminationGracePeriodSeconds %s must exceed the preStop sleep %s plus SHUTDOWN_TIMEOUT %s", m.overlay, name, grace, preStop, shutdown)
	}
}

// checkWiring checks that the components find each other at the Services' names
// and ports, and share the credentials they must share.
func (m *manifests) checkWiring(t *testing.T, envs map[string]map[string]envVar, dockerfile []byte) {
	t.Helper()
	serviceURL := func(who, setting, component, path string) {
		t.Helper()
		v, ok := envs[who][setting]
		if !ok {
			t.Errorf("%s: %s: %s is not set (its default is a loopback address)", m.overlay, who, setting)
			return
		}
		u, err := url.Parse(v.value)
		if err != nil || u.Hostname() != component || u.Port() != defaultPort(component) || u.Path != path {
			t.Errorf("%s: %s: %s = %q, want http://%s:%s%s", m.overlay, who, setting, v.value, component, defaultPort(component), path)
		}
		if svc, ok := m.services[component]; !ok || !slices.ContainsFunc(svc.Spec.Ports, func(p corev1.ServicePort) bool { return strconv.Itoa(int(p.Port)) == u.Port() }) {
			t.Errorf("%s: %s: %s points at Service %s port %s, which does not exist", m.overlay, who, setting, component, u.Port())
		}
	}
	jwks := "/.well-known/jwks.json"
	serviceURL("catalog", "CATALOG_JWKS_URL", "users", jwks)
	serviceURL("orders", "ORDERS_JWKS_URL", "users", jwks)
	serviceURL("orders", "ORDERS_CATALOG_URL", "catalog", "")
	serviceURL("orders", "ORDERS_USERS_URL", "users", "/graphql")
	serviceURL("web", "WEB_ROUTER_URL", "router", "/graphql")
	serviceURL("web", "WEB_CATALOG_URL", "catalog", "")
	if v, ok := envs["users"]["USERS_RESET_URL"]; !ok || v.value == "" {
		t.Errorf("%s: users: USERS_RESET_URL is not set (its default is a loopback address)", m.overlay)
	}

	checkRouterSupergraph(t, m, envs["router"]["ROUTER_SUPERGRAPH"].value)
	manifest := envs["router"]["ROUTER_PERSISTED_MANIFEST"].value
	if manifest == "" || !bytes.Contains(dockerfile, []byte("web/trusted-documents.json "+manifest)) {
		t.Errorf("%s: router: ROUTER_PERSISTED_MANIFEST = %q, want the web store's trusted documents where the Dockerfile copies them", m.overlay, manifest)
	}

	// The catalog's internal API takes the token that orders sends: one Secret key.
	catalogToken := envs["catalog"]["CATALOG_SERVICE_TOKEN"].secretRef
	ordersToken := envs["orders"]["ORDERS_CATALOG_SERVICE_TOKEN"].secretRef
	if catalogToken == nil || ordersToken == nil || catalogToken.Name != ordersToken.Name || catalogToken.Key != ordersToken.Key {
		t.Errorf("%s: CATALOG_SERVICE_TOKEN (%s) and ORDERS_CATALOG_SERVICE_TOKEN (%s) must come from the same Secret key", m.overlay, refString(catalogToken), refString(ordersToken))
	}
	// Replicas share rate limits and APQ registrations only through Redis.
	for who, setting := range map[string]string{"users": "USERS_REDIS_URL", "router": "ROUTER_PERSISTED_APQ_REDIS_URL"} {
		if envs[who][setting].secretRef == nil {
			t.Errorf("%s: %s: %s must be set from a Secret, or each replica keeps its own state", m.overlay, who, setting)
		}
	}
	if m.overlay == "prod" {
		if envs["users"]["USERS_SIGNING_KEYS"].secretRef == nil {
			t.Errorf("prod: users: USERS_SIGNING_KEYS must come from a Secret, not the development key in the database")
		}
		if envs["router"]["ROUTER_PERSISTED_ONLY"].value != "true" {
			t.Errorf("prod: router: ROUTER_PERSISTED_ONLY = %q, want true", envs["router"]["ROUTER_PERSISTED_ONLY"].value)
		}
	}
}

// checkMigrationJobs checks that each subgraph has one Job running `migrate NAME`
// against the database its Deployment uses.
func (m *manifests) checkMigrationJobs(t *testing.T, envs map[string]map[string]envVar) {
	t.Helper()
	known := envNamesOf(t, "migrate")
	perSubgraph := map[string]int{}
	for name, j := range m.jobs {
		pod := j.Spec.Template.Spec
		if len(pod.Containers) != 1 {
			t.Errorf("%s: Job %s: %d containers, want one", m.overlay, name, len(pod.Containers))
			continue
		}
		c := pod.Containers[0]
		if len(c.Command) != 0 || len(c.Args) != 2 || c.Args[0] != "migrate" || !slices.Contains(subgraphNames, c.Args[1]) {
			t.Errorf("%s: Job %s: command %v args %v, want [migrate SUBGRAPH]", m.overlay, name, c.Command, c.Args)
			continue
		}
		sg := c.Args[1]
		perSubgraph[sg]++
		if pod.RestartPolicy != corev1.RestartPolicyOnFailure && pod.RestartPolicy != corev1.RestartPolicyNever {
			t.Errorf("%s: Job %s: restartPolicy %q", m.overlay, name, pod.RestartPolicy)
		}
		m.checkContainerHardening(t, "Job "+name, pod, c)
		env := m.containerEnv(t, "Job "+name, c)
		for v := range env {
			if !slices.Contains(known, v) {
				t.Errorf("%s: Job %s: environment variable %s is not read by `shopgraph migrate`", m.overlay, name, v)
			}
		}
		m.checkSettingsAccepted(t, "Job "+name, "migrate", env)
		setting := envPrefix(sg) + "DATABASE_URL"
		jobDB, deployDB := env[setting].secretRef, envs[sg][setting].secretRef
		if jobDB == nil || deployDB == nil || jobDB.Name != deployDB.Name || jobDB.Key != deployDB.Key {
			t.Errorf("%s: Job %s: %s (%s) must come from the Secret key the %s Deployment uses (%s)", m.overlay, name, setting, refString(jobDB), sg, refString(deployDB))
		}
	}
	for _, sg := range subgraphNames {
		if perSubgraph[sg] != 1 {
			t.Errorf("%s: %d migration Jobs run `migrate %s`, want one", m.overlay, perSubgraph[sg], sg)
		}
	}
}

// refString names a Secret key reference in messages.
func refString(ref *corev1.SecretKeySelector) string {
	if ref == nil {
		return "not from a Secret"
	}
	return fmt.Sprintf("Secret %s key %s", ref.Name, ref.Key)
}

// hasKey reports whether a Secret holds key.
func hasKey(s *corev1.Secret, key string) bool {
	_, inData := s.Data[key]
	_, inStringData := s.StringData[key]
	return inData || inStringData
}

// keys returns a map's keys, sorted.
func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// pod is a workload's pods as NetworkPolicies see them: labels and named ports.
type pod struct {
	labels map[string]string
	ports  []corev1.ContainerPort
}

// podOf returns the pods of a Deployment, StatefulSet or Job in the overlay.
func (m *manifests) podOf(t *testing.T, name string) pod {
	t.Helper()
	var tmpl *corev1.PodTemplateSpec
	if d, ok := m.deployments[name]; ok {
		tmpl = &d.Spec.Template
	} else if s, ok := m.statefulSets[name]; ok {
		tmpl = &s.Spec.Template
	} else if j, ok := m.jobs[name]; ok {
		tmpl = &j.Spec.Template
	} else {
		t.Fatalf("%s: no workload %s", m.overlay, name)
	}
	var ports []corev1.ContainerPort
	for _, c := range tmpl.Spec.Containers {
		ports = append(ports, c.Ports...)
	}
	return pod{labels: tmpl.Labels, ports: ports}
}

// portAllowed reports whether a policy's port list admits port on pod p.
func portAllowed(ports []networkingv1.NetworkPolicyPort, p pod, port int32) bool {
	if len(ports) == 0 {
		return true
	}
	for _, np := range ports {
		if np.Protocol != nil && *np.Protocol != corev1.ProtocolTCP {
			continue
		}
		if np.Port == nil {
			return true
		}
		if np.Port.Type == intstr.Int {
			end := np.Port.IntVal
			if np.EndPort != nil {
				end = *np.EndPort
			}
			if port >= np.Port.IntVal && port <= end {
				return true
			}
			continue
		}
		for _, cp := range p.ports {
			if cp.Name == np.Port.StrVal && cp.ContainerPort == port {
				return true
			}
		}
	}
	return false
}

// peerMatches reports whether a peer list admits pod p of the same namespace, or
// with p nil a client from outside it; an empty list admits everyone. Peers with
// a namespaceSelector name other namespaces (monitoring) and an ipBlock names
// addresses outside the cluster, so they admit neither.
func peerMatches(t *testing.T, peers []networkingv1.NetworkPolicyPeer, p *pod) bool {
	t.Helper()
	if len(peers) == 0 {
		return true
	}
	for _, peer := range peers {
		if p != nil && peer.NamespaceSelector == nil && peer.IPBlock == nil && selects(t, peer.PodSelector, p.labels) {
			return true
		}
	}
	return false
}

// allowed evaluates the overlay's NetworkPolicies for a TCP connection to port on
// pod `to` from pod `from` of the same namespace (from nil: a client outside it,
// which only `to`'s ingress rules judge). It reports each side apart: a side is
// open when no policy of its type selects its pod, else one of those policies
// must allow the connection; the connection needs both.
func (m *manifests) allowed(t *testing.T, from *pod, to pod, port int32) (egress, ingress bool) {
	t.Helper()
	egressSelected, egressOK := false, false
	ingressSelected, ingressOK := false, false
	for _, np := range m.policies {
		types := np.Spec.PolicyTypes
		if from != nil && selects(t, &np.Spec.PodSelector, from.labels) && slices.Contains(types, networkingv1.PolicyTypeEgress) {
			egressSelected = true
			for _, r := range np.Spec.Egress {
				if peerMatches(t, r.To, &to) && portAllowed(r.Ports, to, port) {
					egressOK = true
				}
			}
		}
		if selects(t, &np.Spec.PodSelector, to.labels) && slices.Contains(types, networkingv1.PolicyTypeIngress) {
			ingressSelected = true
			for _, r := range np.Spec.Ingress {
				if peerMatches(t, r.From, from) && portAllowed(r.Ports, to, port) {
					ingressOK = true
				}
			}
		}
	}
	return !egressSelected || egressOK, !ingressSelected || ingressOK
}

// connects reports whether both sides allow a connection.
func (m *manifests) connects(t *testing.T, from *pod, to pod, port int32) bool {
	t.Helper()
	egress, ingress := m.allowed(t, from, to, port)
	return egress && ingress
}

// allowedOut reports whether pod p may open TCP connections to port on an address
// outside the cluster (a managed database): an egress rule to any peer or an ipBlock.
func (m *manifests) allowedOut(t *testing.T, p pod, port int32, protocol corev1.Protocol) bool {
	t.Helper()
	selected := false
	for _, np := range m.policies {
		if !selects(t, &np.Spec.PodSelector, p.labels) || !slices.Contains(np.Spec.PolicyTypes, networkingv1.PolicyTypeEgress) {
			continue
		}
		selected = true
		for _, r := range np.Spec.Egress {
			open := len(r.To) == 0 || slices.ContainsFunc(r.To, func(peer networkingv1.NetworkPolicyPeer) bool { return peer.IPBlock != nil })
			if !open {
				continue
			}
			for _, rp := range r.Ports {
				proto := corev1.ProtocolTCP
				if rp.Protocol != nil {
					proto = *rp.Protocol
				}
				if proto == protocol && rp.Port != nil && rp.Port.Type == intstr.Int && rp.Port.IntVal == port {
					return true
				}
			}
			if len(r.Ports) == 0 {
				return true
			}
		}
	}
	return !selected
}

// public reports whether clients outside shopgraph (the ingress) reach a component.
func public(component string) bool { return component == "router" || component == "web" }

// TestKustomizeNetworkPolicies evaluates each overlay's NetworkPolicies for every
// pair of components and checks that exactly the connections the code makes are
// allowed: the router to the subgraphs, orders to the catalog's internal API and
// the users service, catalog and orders to the users JWKS, the web store to the
// router and the catalog's images; anyone to the router and the web store.
func TestKustomizeNetworkPolicies(t *testing.T) {
	t.Parallel()
	wanted := map[string][]string{
		"router":  subgraphNames,
		"orders":  {"catalog", "users"},
		"catalog": {"users"},
		"users":   nil,
		"web":     {"router", "catalog"},
		"migrate": nil,
	}
	for _, overlay := range []string{"dev", "prod"} {
		t.Run(overlay, func(t *testing.T) {
			t.Parallel()
			m := renderOverlay(t, overlay)
			pods := map[string]pod{}
			for _, c := range components() {
				if _, ok := m.deployments[c]; !ok {
					t.Fatalf("%s: no Deployment %s", overlay, c)
				}
				pods[c] = m.podOf(t, c)
			}
			pods["migrate"] = m.podOf(t, "migrate-catalog")

			for _, c := range components() {
				covered := false
				for _, np := range m.policies {
					if len(np.Spec.PodSelector.MatchLabels)+len(np.Spec.PodSelector.MatchExpressions) > 0 && selects(t, &np.Spec.PodSelector, pods[c].labels) &&
						slices.Contains(np.Spec.PolicyTypes, networkingv1.PolicyTypeIngress) && slices.Contains(np.Spec.PolicyTypes, networkingv1.PolicyTypeEgress) {
						covered = true
					}
				}
				if !covered {
					t.Errorf("%s: no NetworkPolicy of its own (Ingress and Egress) for component %s", overlay, c)
				}
			}
			for from, targets := range wanted {
				for _, to := range components() {
					port, _ := strconv.Atoi(defaultPort(to))
					want := slices.Contains(targets, to)
					// Each side on its own, so that a slip in one is not hidden
					// by the other.
					fromPod := pods[from]
					egress, ingress := m.allowed(t, &fromPod, pods[to], int32(port))
					if egress != want {
						t.Errorf("%s: %s's egress to %s:%d allowed = %v, want %v", overlay, from, to, port, egress, want)
					}
					// The public components take anyone; callers' egress limits who calls them.
					if wantIn := want || public(to); ingress != wantIn {
						t.Errorf("%s: %s's ingress from %s on port %d allowed = %v, want %v", overlay, to, from, port, ingress, wantIn)
					}
				}
			}
			for _, c := range components() {
				port, _ := strconv.Atoi(defaultPort(c))
				want := public(c)
				if _, got := m.allowed(t, nil, pods[c], int32(port)); got != want {
					t.Errorf("%s: a client outside shopgraph -> %s:%d allowed = %v, want %v", overlay, c, port, got, want)
				}
			}
			for name, p := range pods {
				if !m.allowedOut(t, p, 53, corev1.ProtocolUDP) {
					t.Errorf("%s: %s may not resolve names (UDP 53)", overlay, name)
				}
			}

			// The databases and Redis: in dev, pods of the overlay; in prod,
			// managed services outside the cluster.
			dbClients := append(append([]string{}, subgraphNames...), "migrate")
			redisClients := []string{"users", "router"}
			switch overlay {
			case "dev":
				postgres, redis := m.podOf(t, "postgres"), m.podOf(t, "redis")
				for _, c := range dbClients {
					p := pods[c]
					if !m.connects(t, &p, postgres, 5432) {
						t.Errorf("dev: %s may not reach PostgreSQL", c)
					}
				}
				for _, c := range redisClients {
					p := pods[c]
					if !m.connects(t, &p, redis, 6379) {
						t.Errorf("dev: %s may not reach Redis", c)
					}
				}
				for _, c := range []string{"router", "web"} {
					p := pods[c]
					if m.connects(t, &p, postgres, 5432) {
						t.Errorf("dev: %s may reach PostgreSQL, which it never uses", c)
					}
				}
			default:
				for _, c := range dbClients {
					if !m.allowedOut(t, pods[c], 5432, corev1.ProtocolTCP) {
						t.Errorf("%s: %s may not reach its managed PostgreSQL (TCP 5432)", overlay, c)
					}
				}
				for _, c := range redisClients {
					if !m.allowedOut(t, pods[c], 6379, corev1.ProtocolTCP) {
						t.Errorf("%s: %s may not reach Redis (TCP 6379)", overlay, c)
					}
				}
			}
		})
	}
}

// alertRules is deploy/prometheus-rules.yaml, decoded strictly.
type alertRules struct {
	APIVersion string `yaml:"apiVersion"`
	Kind       string `yaml:"kind"`
	Metadata   struct {
		Name   string            `yaml:"name"`
		Labels map[string]string `yaml:"labels"`
	} `yaml:"metadata"`
	Spec struct {
		Groups []struct {
			Name  string `yaml:"name"`
			Rules []struct {
				Alert       string            `yaml:"alert"`
				Expr        string            `yaml:"expr"`
				For         string            `yaml:"for"`
				Labels      map[string]string `yaml:"labels"`
				Annotations map[string]string `yaml:"annotations"`
			} `yaml:"rules"`
		} `yaml:"groups"`
	} `yaml:"spec"`
}

// collectorNames records the metric names of the collectors registered with it.
type collectorNames struct{ names map[string]bool }

func (c *collectorNames) Register(col prometheus.Collector) error {
	ch := make(chan *prometheus.Desc, 64)
	go func() { col.Describe(ch); close(ch) }()
	for d := range ch {
		c.add(d)
	}
	return nil
}

func (c *collectorNames) MustRegister(cols ...prometheus.Collector) {
	for _, col := range cols {
		_ = c.Register(col)
	}
}

func (c *collectorNames) Unregister(prometheus.Collector) bool { return true }

var descName = regexp.MustCompile(`fqName: "([^"]+)"`)

func (c *collectorNames) add(d *prometheus.Desc) {
	if m := descName.FindStringSubmatch(d.String()); m != nil {
		c.names[m[1]] = true
	}
}

// exportedMetricNames returns the names of every metric a component exports:
// the HTTP and pool metrics of the subgraphs, the router's own, and the runtime's.
func exportedMetricNames(t *testing.T) map[string]bool {
	t.Helper()
	c := &collectorNames{names: map[string]bool{}}
	if _, err := telemetry.NewHTTPMetrics(c, "catalog", "/graphql"); err != nil {
		t.Fatal(err)
	}
	c.MustRegister(telemetry.NewPoolCollector(nil, "catalog")) // Describe does not touch the pool

	routerReg := prometheus.NewRegistry()
	_, rc, err := newRouterSettings(noEnv)
	if err != nil {
		t.Fatal(err)
	}
	srv, err := server.New(rc.Router, nil, server.WithRegistry(routerReg))
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	c.MustRegister(routerReg, telemetry.NewRegistry())
	return c.names
}

// TestManifestsAlertRulesUseExportedMetrics checks deploy/prometheus-rules.yaml:
// every shopgraph metric an alert reads is one the code exports (a renamed metric
// would otherwise silence its alert), and the alerts the operations guide
// promises are there.
func TestManifestsAlertRulesUseExportedMetrics(t *testing.T) {
	t.Parallel()
	f, err := os.Open("../../deploy/prometheus-rules.yaml")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	dec := yaml.NewDecoder(f)
	dec.KnownFields(true)
	var rules alertRules
	if err := dec.Decode(&rules); err != nil {
		t.Fatalf("deploy/prometheus-rules.yaml: %v", err)
	}
	if rules.APIVersion != "monitoring.coreos.com/v1" || rules.Kind != "PrometheusRule" {
		t.Errorf("prometheus-rules.yaml: %s %s, want monitoring.coreos.com/v1 PrometheusRule", rules.APIVersion, rules.Kind)
	}
	exported := exportedMetricNames(t)
	metric := regexp.MustCompile(`\b(shopgraph_[a-z0-9_]+|go_[a-z0-9_]+|process_[a-z0-9_]+)`)
	histogramSeries := regexp.MustCompile(`_(bucket|sum|count)$`)
	used := map[string]bool{}
	seen := map[string]bool{}
	for _, g := range rules.Spec.Groups {
		for _, r := range g.Rules {
			if r.Alert == "" || strings.TrimSpace(r.Expr) == "" {
				t.Errorf("group %s: a rule without alert name or expr", g.Name)
				continue
			}
			if seen[r.Alert] {
				t.Errorf("alert %s is defined twice", r.Alert)
			}
			seen[r.Alert] = true
			if r.Labels["severity"] == "" || r.Annotations["summary"] == "" {
				t.Errorf("alert %s: want a severity label and a summary annotation", r.Alert)
			}
			if r.For != "" {
				if _, err := time.ParseDuration(r.For); err != nil {
					t.Errorf("alert %s: for %q: %v", r.Alert, r.For, err)
				}
			}
			for _, name := range metric.FindAllString(r.Expr, -1) {
				base := histogramSeries.ReplaceAllString(name, "")
				if !exported[name] && !exported[base] {
					t.Errorf("alert %s reads %s, which no component exports", r.Alert, name)
				}
				used[base] = true
				used[name] = true
			}
		}
	}
	// What the operations guide tells operators to watch.
	for _, want := range []string{
		"shopgraph_http_requests_total",                // error rate
		"shopgraph_http_request_duration_seconds",      // latency
		"shopgraph_db_pool_acquired_connections",       // pool saturation
		"shopgraph_db_pool_max_connections",            // pool saturation
		"shopgraph_router_subgraph_fetch_errors_total", // a failing subgraph
	} {
		if !used[want] {
			t.Errorf("no alert reads %s", want)
		}
	}
	for _, want := range []string{"kube_pod_container_status_restarts_total", "kube_deployment_status_replicas_available"} {
		found := false
		for _, g := range rules.Spec.Groups {
			for _, r := range g.Rules {
				found = found || strings.Contains(r.Expr, want)
			}
		}
		if !found {
			t.Errorf("no alert reads %s (pod restarts and readiness, from kube-state-metrics)", want)
		}
	}
}

// checkRouterSupergraph: the router serves a supergraph file mounted from a
// ConfigMap (the same in every replica), which holds what composing
// deploy/supergraph.yaml gives now, with every subgraph at its Service.
func checkRouterSupergraph(t *testing.T, m *manifests, path string) {
	t.Helper()
	const dir = "/etc/shopgraph/supergraph"
	if path != dir+"/supergraph.graphql" {
		t.Errorf("%s: router: ROUTER_SUPERGRAPH = %q, want %s/supergraph.graphql", m.overlay, path, dir)
		return
	}
	d, ok := m.deployments["router"]
	if !ok {
		return
	}
	var configMap string
	for _, mount := range d.Spec.Template.Spec.Containers[0].VolumeMounts {
		if mount.MountPath != dir {
			continue
		}
		for _, v := range d.Spec.Template.Spec.Volumes {
			if v.Name == mount.Name && v.ConfigMap != nil {
				configMap = v.ConfigMap.Name
			}
		}
	}
	cm, ok := m.configMaps[configMap]
	if !ok {
		t.Errorf("%s: router: no ConfigMap volume mounted at %s", m.overlay, dir)
		return
	}
	cfg, err := compose.LoadConfig("../../deploy/supergraph.yaml")
	if err != nil {
		t.Fatal(err)
	}
	sgs, err := cfg.Resolve(t.Context(), compose.HTTPFetcher(http.DefaultClient))
	if err != nil {
		t.Fatal(err)
	}
	want, err := compose.Compose(sgs)
	if err != nil {
		t.Fatal(err)
	}
	if cm.Data["supergraph.graphql"] != want {
		t.Errorf("%s: router: the supergraph in ConfigMap %s is stale: run `make generate`", m.overlay, configMap)
	}
	for _, name := range subgraphNames {
		at := fmt.Sprintf(`@join__graph(name: %q, url: "http://%s:%s/graphql")`, name, name, defaultPort(name))
		if !strings.Contains(want, at) {
			t.Errorf("%s: router: the supergraph does not route %s to its Service (want %s)", m.overlay, name, at)
		}
	}
}
