package io.drover.coordinator.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.drover.events.Json;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpMethods;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.stream.Materializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * The coordinator's REST API over Pekko HTTP, JSON bodies both ways:
 * <pre>
 * GET  /api/hosts                      host summaries (up/down, QEMU version, accel, capacity, VMs)
 * GET  /api/vms                        every VM with its host
 * POST /api/vms                        {"vmId","host","memoryMiB"?,"vcpus"?,"dirtyRate"?} → 202: define-vm and start-vm sent
 * POST /api/migrations                 {"vmId","to","policy"?} → 201 with the migration's summary
 * GET  /api/migrations?vm=&amp;phase=   the migrations (of a VM, in a phase) from the read model, oldest first
 * GET  /api/migrations/{id}            its summary and last progress sample; ?wait=30s holds the answer
 *                                       until the migration has ended or the wait is over (a long poll)
 * GET  /api/migrations/{id}/events     every persisted event with its time and reason
 * POST /api/migrations/{id}/cancel     {"reason"?} → 200, or 409 with why not
 * GET  /api/audit?vm=&amp;host=&amp;migration=&amp;type=&amp;since=&amp;until=&amp;limit=
 * </pre>
 * Errors are {@code {"error": "...", "field": "..."}}: 400 for a malformed or invalid request, 404 for an
 * unknown VM, host, migration or endpoint, 405 for a wrong method, 409 for a conflict.
 */
public final class HttpApi implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(HttpApi.class);
    private static final long BODY_TIMEOUT_MS = 5_000;

    private final CoordinatorApi api;
    private final Materializer materializer;
    private final ServerBinding binding;

    private HttpApi(CoordinatorApi api, Materializer materializer, ServerBinding binding) {
        this.api = api;
        this.materializer = materializer;
        this.binding = binding;
    }

    /** Binds {@code iface:port} (0: any free port) and serves {@code api}. */
    public static HttpApi start(ActorSystem<?> system, CoordinatorApi api, String iface, int port) {
        Materializer mat = Materializer.matFromSystem(system);
        Handler h = new Handler(api, mat);
        try {
            ServerBinding b = Http.get(system).newServerAt(iface, port).bind(h::handle)
                    .toCompletableFuture().get(30, TimeUnit.SECONDS);
            log.info("REST API on http://{}:{}/api", iface, b.localAddress().getPort());
            return new HttpApi(api, mat, b);
        } catch (Exception e) {
            throw new IllegalStateException("cannot serve the API on " + iface + ":" + port + ": " + e, e);
        }
    }

    /** The port bound (useful with port 0). */
    public int port() {
        return binding.localAddress().getPort();
    }

    @Override
    public void close() {
        try {
            binding.unbind().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            log.warn("unbinding the API: {}", e.toString());
        }
        api.close();
    }

    /** Routes a request to the API and turns its answer or failure into a JSON response. */
    static final class Handler {
        private final CoordinatorApi api;
        private final Materializer mat;

        Handler(CoordinatorApi api, Materializer mat) {
            this.api = api;
            this.mat = mat;
        }

        CompletionStage<HttpResponse> handle(HttpRequest req) {
            CompletionStage<HttpResponse> r;
            try {
                r = route(req);
            } catch (RuntimeException e) {
                r = CompletableFuture.failedFuture(e);
            }
            return r.exceptionally(HttpApi::error);
        }

        private CompletionStage<HttpResponse> route(HttpRequest req) {
            String path = req.getUri().path();
            List<String> seg = Arrays.stream(path.split("/")).filter(s -> !s.isEmpty()).toList();
            boolean get = req.method().equals(HttpMethods.GET);
            boolean post = req.method().equals(HttpMethods.POST);
            if (seg.size() < 2 || !seg.get(0).equals("api")) {
                throw ApiException.notFound(null, "no such endpoint: " + req.method().value() + " " + path);
            }
            String what = seg.get(1);
            if (seg.size() == 2 && what.equals("hosts")) {
                requireMethod(get, req);
                return ok(api.hosts(), 200);
            }
            if (seg.size() == 2 && what.equals("vms")) {
                if (post) {
                    return body(req).thenCompose(b -> api.createVm(VmRequest.parse(b))).thenApply(j -> json(202, j));
                }
                requireMethod(get, req);
                return ok(api.vms(), 200);
            }
            if (seg.size() == 2 && what.equals("audit")) {
                requireMethod(get, req);
                return ok(api.audit(query(req)), 200);
            }
            if (what.equals("migrations")) {
                if (seg.size() == 2) {
                    if (post) {
                        return body(req).thenCompose(b -> api.create(MigrationRequest.parse(b))).thenApply(j -> json(201, j));
                    }
                    requireMethod(get, req);
                    return ok(api.migrations(query(req)), 200);
                }
                String id = seg.get(2);
                if (seg.size() == 3) {
                    requireMethod(get, req);
                    return ok(api.migration(id, CoordinatorApi.waitParameter(query(req))), 200);
                }
                if (seg.size() == 4 && seg.get(3).equals("events")) {
                    requireMethod(get, req);
                    return ok(api.migrationEvents(id), 200);
                }
                if (seg.size() == 4 && seg.get(3).equals("cancel")) {
                    requireMethod(post, req);
                    return body(req).thenCompose(b -> api.cancel(id, cancelReason(b))).thenApply(j -> json(200, j));
                }
            }
            throw ApiException.notFound(null, "no such endpoint: " + req.method().value() + " " + path);
        }

        private static String cancelReason(String body) {
            if (body == null || body.isBlank()) {
                return "cancelled through the API";
            }
            JsonNode n = MigrationRequest.parseJson(body);
            if (!n.isObject()) {
                throw ApiException.badRequest(null, "the body must be a JSON object");
            }
            JsonNode r = n.get("reason");
            if (r == null || r.isNull()) {
                return "cancelled through the API";
            }
            if (!r.isTextual()) {
                throw ApiException.badRequest("reason", "reason must be a string");
            }
            return r.asText();
        }

        private static void requireMethod(boolean ok, HttpRequest req) {
            if (!ok) {
                throw new ApiException(405, null, "method " + req.method().value() + " is not allowed on " + req.getUri().path());
            }
        }

        private static Map<String, String> query(HttpRequest req) {
            return new LinkedHashMap<>(req.getUri().query().toMap());
        }

        private CompletionStage<String> body(HttpRequest req) {
            return req.entity().toStrict(BODY_TIMEOUT_MS, mat).thenApply(s -> s.getData().utf8String());
        }

        private static CompletionStage<HttpResponse> ok(CompletionStage<JsonNode> j, int status) {
            return j.thenApply(n -> json(status, n));
        }
    }

    static HttpResponse json(int status, JsonNode body) {
        byte[] bytes;
        try {
            bytes = Json.mapper().writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        return HttpResponse.create().withStatus(StatusCodes.get(status)).withEntity(ContentTypes.APPLICATION_JSON, bytes);
    }

    static HttpResponse error(Throwable e) {
        Throwable t = e;
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        ObjectNode o = Json.mapper().createObjectNode();
        if (t instanceof ApiException a) {
            o.put("error", a.getMessage());
            if (a.field() != null) {
                o.put("field", a.field());
            }
            return json(a.status(), o);
        }
        log.error("API request failed", t);
        o.put("error", t.getMessage() == null ? t.toString() : t.getMessage());
        return json(500, o);
    }
}
