'use client';
/**
 * A menu whose code (Radix's menu with its positioning and focus handling: most of a console
 * page's own JavaScript) is fetched when a pointer or the focus first reaches its button, not with
 * the page. Until then a plain button stands in for the trigger, looking and named the same; once
 * the code is here every such menu on the page swaps to the real one. A stand-in that held the
 * focus gives it to the new trigger, and a press made before the code arrived opens the menu when
 * it does.
 */
import { useEffect, useRef, useState, useSyncExternalStore, type ComponentProps, type ComponentType, type ReactNode, type RefObject } from 'react';

/** What a lazily loaded menu takes besides its own props: its trigger's ref and whether it opens at once. */
export type LazyMenuProps = { triggerRef: RefObject<HTMLButtonElement | null>; defaultOpen: boolean };

/** The props a stand-in passes to its button. */
export type StandInTrigger = ComponentProps<'button'> & { ref: RefObject<HTMLButtonElement | null> };

const OPENING_KEYS = ['Enter', ' ', 'ArrowDown', 'ArrowUp'];

/** One module shared by every menu of its kind on the page: loaded once, and each re-renders when it is. */
export function lazyMenu<P extends LazyMenuProps>(load: () => Promise<ComponentType<P>>, standIn: (props: Omit<P, 'defaultOpen'>, trigger: StandInTrigger) => ReactNode) {
  let menu: ComponentType<P> | null = null;
  let loading: Promise<void> | null = null;
  const listeners = new Set<() => void>();
  const start = () => {
    loading ??= load().then((loaded) => {
      menu = loaded;
      for (const listener of listeners) listener();
    });
  };
  const subscribe = (listener: () => void) => {
    listeners.add(listener);
    return () => void listeners.delete(listener);
  };

  return function LazyMenu(props: Omit<P, 'defaultOpen'>) {
    const Menu = useSyncExternalStore(subscribe, () => menu, () => null);
    const [pressed, setPressed] = useState(false);
    const focused = useRef(false);
    const { triggerRef } = props;

    useEffect(() => {
      if (Menu && focused.current) triggerRef.current?.focus();
    }, [Menu, triggerRef]);

    if (Menu) return <Menu {...(props as P)} defaultOpen={pressed} />;
    const press = () => {
      setPressed(true);
      start();
    };
    return standIn(props, {
      ref: triggerRef,
      type: 'button',
      'aria-haspopup': 'menu',
      'aria-expanded': false,
      onPointerEnter: start,
      onFocus: () => {
        focused.current = true;
        start();
      },
      onBlur: () => (focused.current = false),
      onPointerDown: (event) => event.button === 0 && press(),
      onKeyDown: (event) => OPENING_KEYS.includes(event.key) && press(),
      onClick: press,
    });
  };
}
