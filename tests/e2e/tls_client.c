// SPDX-License-Identifier: GPL-2.0
/*
 * A TLS client as real software writes it, on Debian's OpenSSL: a TLS 1.2
 * handshake with kTLS enabled (SSL_OP_ENABLE_KTLS), then SIZE bytes sent
 * with SSL_write() after a plaintext-free length line, and the server's
 * answer (a JSON line with the sha256 it computed) read back.
 *
 *   tls_client ADDR PORT SIZE
 *
 * Prints {"ktls_send": 0|1, "bytes": SIZE, "sha256": "...", "answer": ...}
 * and exits 0 when the server's sha256 matches.
 */
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>

static int connect_to(const char *host, const char *port)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *res, *ai;
	int fd = -1;

	if (getaddrinfo(host, port, &hints, &res))
		return -1;
	for (ai = res; ai; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
		if (fd < 0)
			continue;
		if (!connect(fd, ai->ai_addr, ai->ai_addrlen))
			break;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	return fd;
}

int main(int argc, char **argv)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	char line[64], answer[512], hex[2 * EVP_MAX_MD_SIZE + 1];
	unsigned int mdlen, i;
	size_t size, done = 0;
	unsigned char *data;
	EVP_MD_CTX *mctx;
	SSL_CTX *ctx;
	int fd, n, ok;
	SSL *ssl;

	if (argc != 4) {
		fprintf(stderr, "usage: %s ADDR PORT SIZE\n", argv[0]);
		return 2;
	}
	size = strtoul(argv[3], NULL, 10);
	data = malloc(size ? size : 1);
	if (!data)
		return 1;
	for (i = 0; i < size; i++)
		data[i] = "svcnet-marker "[i % 14] ^ (i / 14 & 1);

	ctx = SSL_CTX_new(TLS_client_method());
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	SSL_CTX_set_max_proto_version(ctx, TLS1_2_VERSION);
	SSL_CTX_set_cipher_list(ctx, "ECDHE-ECDSA-AES128-GCM-SHA256");
	SSL_CTX_set_options(ctx, SSL_OP_ENABLE_KTLS);
	fd = connect_to(argv[1], argv[2]);
	if (fd < 0) {
		perror("connect");
		return 1;
	}
	ssl = SSL_new(ctx);
	SSL_set_fd(ssl, fd);
	if (SSL_connect(ssl) != 1) {
		ERR_print_errors_fp(stderr);
		return 1;
	}
	n = snprintf(line, sizeof(line), "%zu\n", size);
	if (SSL_write(ssl, line, n) != n)
		return 1;
	while (done < size) {
		n = SSL_write(ssl, data + done, size - done > 65536 ? 65536 :
						  size - done);
		if (n <= 0) {
			ERR_print_errors_fp(stderr);
			return 1;
		}
		done += n;
	}
	n = SSL_read(ssl, answer, sizeof(answer) - 1);
	answer[n > 0 ? n : 0] = '\0';
	answer[strcspn(answer, "\n")] = '\0';

	mctx = EVP_MD_CTX_new();
	EVP_DigestInit_ex(mctx, EVP_sha256(), NULL);
	EVP_DigestUpdate(mctx, data, size);
	EVP_DigestFinal_ex(mctx, md, &mdlen);
	for (i = 0; i < mdlen; i++)
		sprintf(hex + 2 * i, "%02x", md[i]);
	ok = strstr(answer, hex) != NULL;
	printf("{\"ktls_send\": %d, \"bytes\": %zu, \"sha256\": \"%s\", \"answer\": %s}\n",
	       (int)BIO_get_ktls_send(SSL_get_wbio(ssl)), size, hex,
	       answer[0] ? answer : "null");
	SSL_shutdown(ssl);
	SSL_free(ssl);
	close(fd);
	SSL_CTX_free(ctx);
	EVP_MD_CTX_free(mctx);
	free(data);
	return ok ? 0 : 1;
}
