# One image for every shopgraph component; the component is chosen by argument:
#   docker run shopgraph serve catalog     (or orders, users, router; or seed, migrate)
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/shopgraph ./cmd/shopgraph

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/shopgraph /shopgraph
USER nonroot
EXPOSE 4000 4001 4002 4003
ENTRYPOINT ["/shopgraph"]
CMD ["serve", "router"]
