# Stand-in for redis:7-bookworm: Debian's Redis 7 at /usr/local/bin like the official image, /data.
FROM sothebais-standin/debian:bookworm
RUN apt-get update && apt-get install -y --no-install-recommends redis-server redis-tools \
 && rm -rf /var/lib/apt/lists/* \
 && ln -s /usr/bin/redis-server /usr/local/bin/redis-server && ln -s /usr/bin/redis-cli /usr/local/bin/redis-cli \
 && mkdir /data && chown redis:redis /data
WORKDIR /data
VOLUME /data
EXPOSE 6379
CMD ["redis-server"]
