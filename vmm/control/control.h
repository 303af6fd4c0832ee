/* SPDX-License-Identifier: MIT */
/*
 * The control socket (docs/control.md): a Unix stream socket, mode 0600,
 * served by the main thread's event loop. Each connected client sends one
 * JSON request per line and gets one reply per line, in order; events
 * (storm finished, VM stopped) go to every client. Clients are independent:
 * one that sends garbage gets errors, one that sends an over-long line or
 * stops reading its replies is dropped, and the VM notices neither.
 *
 * Subsystem vmm/control/ (this is its main header; map: docs/architecture.md).
 * Owns the socket server and its commands, the line protocol (json_proto),
 * the argument grammar shared with the client (control_args), storms and
 * their schedules and targets. May call: vmm/core/ (vm.h, vmm/core/arch.h
 * for the architecture's name, stats, irq_dump, event loop, log) and
 * vmm/config/. Never includes cli/ or a vmm/arch/ header; vm_run starts and
 * stops it through control_service.
 */
#ifndef IRQVM_CONTROL_H
#define IRQVM_CONTROL_H

#include <stddef.h>

struct vm;
struct vm_service;
struct control;

/*
 * The control socket as vm_run's service (vm_options.service): opens the
 * socket at vm->cfg->api_socket when one is configured, stops the storms
 * before the vCPU threads and says goodbye to the clients last.
 */
extern const struct vm_service control_service;

/*
 * Opens the socket at path and sets vm->control. Refuses (-1, err) if path
 * exists and is not a socket, or is a socket some live process answers on;
 * a stale socket is replaced. Call from the main thread before the vCPU
 * threads exist (the umask is changed while binding).
 */
int control_create(struct vm *vm, const char *path, char *err, size_t errlen);
/* Stops and joins every storm thread (before the vCPU threads are stopped). */
void control_stop_storms(struct control *ctl);
/*
 * Tells every client the VM stopped ({"event":"vm_stopped"} with reason and
 * exit status; reason NULL: irqvm failed to start), flushes what it can,
 * closes everything, removes the socket file and clears vm->control. NULL is
 * a no-op.
 */
void control_destroy(struct control *ctl, const char *reason, int exit_status);

#endif
