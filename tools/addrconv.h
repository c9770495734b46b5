/*
 * addrconv.h - the commands of addrconv that live outside addrconv.c
 *
 * Each takes the arguments after the program name (argv[0] is the
 * command) and returns the exit status (cli_finish()).
 */
#ifndef ADDRCONV_H
#define ADDRCONV_H

/* IMCEA and X.500 (addrconv_imcea.c) */
int addrconv_encode(int argc, char **argv);
int addrconv_decode(int argc, char **argv);

/* X.400 and RFC 2156 (addrconv_x400.c) */
int addrconv_x400(int argc, char **argv);
int addrconv_x400_to_822(int argc, char **argv);
int addrconv_822_to_x400(int argc, char **argv);
int addrconv_ps_encode(int argc, char **argv);
int addrconv_ps_decode(int argc, char **argv);
int addrconv_mcgam_dns(int argc, char **argv);

#endif
