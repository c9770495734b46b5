/*
 * addrconv.h - the commands of addrconv that live outside addrconv.c
 *
 * Each takes the arguments after the program name (argv[0] is the
 * command) and returns the exit status (cli_finish()).
 */
#ifndef ADDRCONV_H
#define ADDRCONV_H

/* IMCEA and X.500 (addrconv_imcea.c) */

/* X.400 and RFC 2156 (addrconv_x400.c) */

#endif
