# One image for every shopgraph component; the component is chosen by argument:
#   docker run shopgraph serve catalog     (or orders, users, router, web; or seed, migrate)
# The web store is embedded in the binary (web/dist, checked in); the router finds
# the store's trusted documents at /etc/shopgraph/web-trusted-documents.json.
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/shopgraph ./cmd/shopgraph

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/shopgraph /shopgraph
COPY web/trusted-documents.json /etc/shopgraph/web-trusted-documents.json
USER nonroot
EXPOSE 3000 4000 4001 4002 4003
ENTRYPOINT ["/shopgraph"]
CMD ["serve", "router"]
